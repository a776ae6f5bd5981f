"""The seal: a digest anyone can recompute from a fixed canonical form, and no reading before the
opening time — by the clock given, and from the exact opening instant on."""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from renovation.tendering import seal
from renovation.tendering.models import Bid, Tender, TenderStatus
from renovation.tendering.seal import BidContent, SealedError, new_content, unseal, unseal_file
from tests.tendering.fixtures import PROPOSAL_NAMES

PROPOSAL = b"%PDF-1.4 proposal"
# The canonical form written out by hand (sorted keys, no spaces, amount with two decimals, UTF-8),
# and its SHA-256 computed once outside the code under test.
KNOWN_CANONICAL = (
    '{"amount":"873456.20","bidder":"91440300708461136T","duration_days":120,'
    '"nonce":"00112233445566778899aabbccddeeff","proposal_name":"技术标.pdf",'
    '"proposal_sha256":"6984ad8a4cf79dbea1fcc24e79d4970476098780fff0c57dbc8963d9fb39381b",'
    '"submitted_at":"2026-05-01T09:30:00+08:00","tender":"ocds-lzgz00-ZB-2026-001"}'
)
KNOWN_DIGEST = "ab7e28c58a1fdea4889ce9b04ca52f20a1dcb8337790368a5836d026fce92d5c"


def _known() -> BidContent:
    return BidContent(
        tender="ocds-lzgz00-ZB-2026-001",
        bidder="91440300708461136T",
        amount=Decimal("873456.2"),
        duration_days=120,
        proposal_name="技术标.pdf",
        proposal_sha256=hashlib.sha256(PROPOSAL).hexdigest(),
        submitted_at="2026-05-01T09:30:00+08:00",
        nonce="00112233445566778899aabbccddeeff",
    )


def test_it_digests_a_fixed_known_vector():
    content = _known()
    assert content.canonical() == KNOWN_CANONICAL
    assert content.digest == KNOWN_DIGEST
    assert BidContent.from_canonical(KNOWN_CANONICAL) == BidContent(
        **{**_known().__dict__, "amount": Decimal("873456.20")}
    )


def test_it_builds_the_content_of_a_new_bid():
    tender = Tender(code="ZB-2026-001")
    submitted = timezone.make_aware(datetime(2026, 5, 1, 9, 30, 15, 999))
    content = new_content(
        tender=tender,
        bidder_uscc="91440300708461136T",
        amount=Decimal("873456.204"),
        duration_days=120,
        proposal_name="技术标.pdf",
        proposal_bytes=PROPOSAL,
        submitted_at=submitted,
    )
    assert content.tender == tender.ocid
    assert content.amount == Decimal("873456.20")
    assert content.proposal_sha256 == "6984ad8a4cf79dbea1fcc24e79d4970476098780fff0c57dbc8963d9fb39381b"
    assert content.submitted_at == "2026-05-01T09:30:15+08:00"
    assert (
        len(content.nonce) == 32
        and content.nonce
        != new_content(
            tender=tender,
            bidder_uscc="x",
            amount=Decimal(1),
            duration_days=1,
            proposal_name="",
            proposal_bytes=b"",
            submitted_at=submitted,
        ).nonce
    )


def test_is_opened_follows_the_clock_it_is_given_from_the_exact_instant():
    opening = timezone.now() + timedelta(days=3)
    tender = Tender(status=TenderStatus.BIDDING, opening_at=opening)
    assert tender.is_opened(opening) is True
    assert tender.is_opened(opening - timedelta(microseconds=1)) is False
    assert tender.is_opened(opening + timedelta(days=1)) is True
    assert tender.is_opened() is False  # the real clock: three days early
    past = Tender(status=TenderStatus.BIDDING, opening_at=timezone.now() - timedelta(days=1))
    assert past.is_opened() is True
    assert past.is_opened(past.opening_at - timedelta(seconds=1)) is False


def test_a_draft_is_never_opened():
    draft = Tender(status=TenderStatus.DRAFT, opening_at=timezone.now() - timedelta(days=1))
    assert draft.is_opened() is False
    assert draft.is_opened(timezone.now()) is False


def test_it_refuses_to_read_a_bid_or_its_file_before_the_opening_and_reads_both_from_the_instant(tender_cast):
    submitted = tender_cast.bid(0)
    bid = Bid.objects.select_related("tender", "bidder").get(pk=submitted.pk)
    opening = bid.tender.opening_at
    with pytest.raises(SealedError):
        unseal(bid, now=opening - timedelta(microseconds=1))
    with pytest.raises(SealedError):
        unseal_file(bid, now=opening - timedelta(microseconds=1))
    with pytest.raises(SealedError):
        unseal_file(bid)  # the real clock: the opening is days away
    content = unseal(bid, now=opening)
    assert content.digest == bid.digest
    assert content.proposal_name == PROPOSAL_NAMES[0]
    proposal = unseal_file(bid, now=opening)
    assert proposal.startswith(b"%PDF-1.4")
    assert hashlib.sha256(proposal).hexdigest() == content.proposal_sha256


def test_it_seals_with_the_newest_key_and_reads_with_any_listed(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.BID_SEAL_KEYS = [old]
    token = seal.seal_content(_known())
    settings.BID_SEAL_KEYS = [new, old]
    assert Fernet(old.encode()).decrypt(token.encode()).decode() == KNOWN_CANONICAL
    assert seal.cipher().decrypt(token.encode()).decode() == KNOWN_CANONICAL
    assert Fernet(new.encode()).decrypt(seal.seal_content(_known()).encode()).decode() == KNOWN_CANONICAL
    assert Fernet(new.encode()).decrypt(seal.seal_file(b"file")) == b"file"


def test_it_refuses_a_key_that_is_not_a_fernet_key(settings):
    settings.BID_SEAL_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="BID_SEAL_KEYS"):
        seal.cipher()


def test_it_says_which_bid_cannot_be_decrypted_when_a_key_was_removed(tender_cast, settings):
    submitted = tender_cast.bid(0)
    bid = Bid.objects.select_related("tender").get(pk=submitted.pk)
    settings.BID_SEAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match=f"Bid {bid.pk} cannot be decrypted"):
        unseal(bid, now=bid.tender.opening_at)


def test_the_development_key_is_derived_from_the_secret_key(settings):
    settings.BID_SEAL_KEYS = []
    token = seal.seal_content(_known())
    assert seal.cipher().decrypt(token.encode()).decode() == KNOWN_CANONICAL
    settings.SECRET_KEY = "another-secret"
    with pytest.raises(InvalidToken):  # another secret derives another key
        seal.cipher().decrypt(token.encode())
