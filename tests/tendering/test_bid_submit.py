import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.tendering import bidding
from renovation.tendering.models import Bid, Bidder
from renovation.tendering.seal import SealedError, unseal
from tests.factories import UserFactory
from tests.tendering.fixtures import AMOUNTS, PROPOSAL_NAMES, open_now, proposal, uscc


def test_it_seals_the_bid_and_returns_a_receipt_with_the_digest(tender_cast):
    bid = tender_cast.bid(0)
    receipt = bidding.receipt_for(bid)
    assert receipt.digest == bid.digest and len(receipt.digest) == 64
    # Nothing readable is stored: not the amount, not the file name.
    assert "873456" not in bid.sealed_content and PROPOSAL_NAMES[0] not in bid.sealed_content
    assert PROPOSAL_NAMES[0] not in bid.sealed_file.name
    with bid.sealed_file.open("rb") as handle:
        assert b"technical proposal" not in handle.read()


def test_it_refuses_to_unseal_before_the_opening_time(tender_cast):
    bid = tender_cast.bid(0)
    with pytest.raises(SealedError):
        unseal(bid)


def test_the_digest_is_the_sha256_of_the_published_content(tender_cast):
    bid = tender_cast.bid(0)
    open_now(tender_cast.tender)
    bid = Bid.objects.select_related("tender").get(pk=bid.pk)
    content = unseal(bid)
    assert content.amount == AMOUNTS[0]
    assert content.proposal_name == PROPOSAL_NAMES[0]
    # Recomputed from the published fields with the canonical form written out here (sorted keys,
    # no spaces, amount with two decimals), not with the code's own canonical().
    published = json.dumps(
        {
            "amount": f"{content.amount:.2f}",
            "bidder": content.bidder,
            "duration_days": content.duration_days,
            "nonce": content.nonce,
            "proposal_name": content.proposal_name,
            "proposal_sha256": content.proposal_sha256,
            "submitted_at": content.submitted_at,
            "tender": content.tender,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    assert published.startswith('{"amount":"873456.21","bidder":"')
    assert hashlib.sha256(published.encode()).hexdigest() == bid.digest


def test_a_second_bid_replaces_the_first(tender_cast):
    first = tender_cast.bid(0, amount=Decimal("880000"))
    second = tender_cast.bid(0, amount=Decimal("870000"))
    assert Bid.objects.filter(tender=tender_cast.tender).count() == 1
    assert second.pk == first.pk and second.version == 2 and second.digest != first.digest
    open_now(tender_cast.tender)
    assert unseal(Bid.objects.select_related("tender").get(pk=first.pk)).amount == Decimal("870000")
    # History keeps both versions, each as sealed as the bid itself.
    versions = list(second.history.order_by("history_id"))
    assert len(versions) == 2
    assert all("870000" not in version.sealed_content for version in versions)


def test_it_refuses_a_bid_above_the_ceiling_price_with_the_reason(tender_cast):
    with pytest.raises(ValidationError) as error:
        tender_cast.bid(0, amount=Decimal("900000.01"))
    assert "控制价" in str(error.value)
    assert not Bid.objects.exists()


def test_it_refuses_a_bid_after_the_close(tender_cast):
    tender_cast.tender = open_now(tender_cast.tender)
    with pytest.raises(ValidationError) as error:
        tender_cast.bid(0)
    assert "截止" in str(error.value)
    assert not Bid.objects.exists()


def test_a_late_replacement_leaves_the_earlier_bid_untouched(tender_cast):
    bid = tender_cast.bid(0)
    tender_cast.tender = open_now(tender_cast.tender)
    with pytest.raises(ValidationError, match="不再接收投标"):
        tender_cast.bid(0, amount=Decimal("1000"))
    assert Bid.objects.get(pk=bid.pk).digest == bid.digest


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5")])
def test_it_refuses_a_bid_of_nothing(tender_cast, amount):
    with pytest.raises(ValidationError, match="投标报价必须大于零"):
        tender_cast.bid(0, amount=amount)


def test_only_the_companys_accounts_may_bid_for_it(tender_cast):
    with pytest.raises(PermissionDenied, match="您不是该单位的经办人"):
        bidding.bid_submit(
            actor=tender_cast.accounts[1],
            tender=tender_cast.tender,
            bidder=tender_cast.bidders[0],
            amount=Decimal("1"),
            duration_days=10,
            proposal=proposal(),
        )


def test_staff_cannot_register_a_bidder(personas):
    with pytest.raises(PermissionDenied, match="请用个人或企业账号登录后登记投标单位；工作人员不能投标"):
        bidding.bidder_register(
            actor=personas.street_a,
            data={"name": "X", "uscc": uscc("91330381MA2H"), "contact_name": "a", "contact_phone": "1", "address": ""},
        )


def test_it_refuses_a_malformed_credit_code_and_registers_nothing(db):
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        bidding.bidder_register(
            actor=user,
            data={"name": "X", "uscc": "91350100M000100Y44", "contact_name": "a", "contact_phone": "1", "address": ""},
        )
    assert "uscc" in error.value.error_dict
    assert not Bidder.objects.exists()


def test_it_refuses_a_proposal_that_is_not_an_accepted_type(tender_cast):
    with pytest.raises(ValidationError) as error:
        bidding.bid_submit(
            actor=tender_cast.accounts[0],
            tender=tender_cast.tender,
            bidder=tender_cast.bidders[0],
            amount=Decimal("1000"),
            duration_days=10,
            proposal=proposal("virus.exe"),
        )
    assert "proposal" in error.value.error_dict
    assert not Bid.objects.exists()


def test_a_staff_member_listed_on_a_company_still_cannot_bid(tender_cast, personas):
    tender_cast.bidders[0].accounts.add(personas.street_a)
    with pytest.raises(PermissionDenied, match="工作人员组织招标，不能参加投标"):
        bidding.bid_submit(
            actor=personas.street_a,
            tender=tender_cast.tender,
            bidder=tender_cast.bidders[0],
            amount=Decimal("1000"),
            duration_days=10,
            proposal=proposal(),
        )
    assert not Bid.objects.exists()
