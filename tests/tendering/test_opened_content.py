"""The opening's record of each bid (``Bid.opened_content``): written by the clock when it records
the opening, never before the opening time, equal to what unsealing gives; read through
``seal.opened``, which refuses before the opening time and unseals whatever was not recorded or
does not match the bid's digest."""

import hashlib
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from renovation.tendering import seal, services
from renovation.tendering.models import Bid, Tender, TenderStatus
from renovation.tendering.seal import SealedError
from tests.tendering.fixtures import AMOUNTS, PROPOSAL_NAMES, open_now

pytestmark = pytest.mark.django_db


def _bids(tender: Tender) -> list[Bid]:
    return list(Bid.objects.filter(tender=tender).select_related("tender").order_by("pk"))


def _plain_anywhere(bids: list[Bid]) -> bool:
    """Whether any amount or proposal name of the cast shows in any stored column of the bids or
    of their history rows."""
    rows = [str(values) for values in Bid.objects.filter(pk__in=[bid.pk for bid in bids]).values()]
    rows += [str(values) for values in Bid.history.filter(id__in=[bid.pk for bid in bids]).values()]
    secrets = [f"{amount:.2f}" for amount in AMOUNTS] + PROPOSAL_NAMES
    return any(secret in row for secret in secrets for row in rows)


def test_it_records_nothing_before_the_opening_time(tender_cast):
    tender_cast.three_bids()
    opening = tender_cast.tender.opening_at
    services.tenders_catch_up(now=opening - timedelta(microseconds=1))
    assert services.bid_openings_catch_up(now=opening - timedelta(microseconds=1)) == 0
    bids = _bids(tender_cast.tender)
    assert [bid.opened_content for bid in bids] == ["", "", ""]
    assert not _plain_anywhere(bids)


def test_the_clock_records_each_bid_as_unsealing_gives_it_at_the_opening(tender_cast):
    tender_cast.three_bids()
    opening = tender_cast.tender.opening_at
    assert services.tenders_catch_up(now=opening) == 1
    assert Tender.objects.get(pk=tender_cast.tender.pk).status == TenderStatus.OPENED
    for bid, amount in zip(_bids(tender_cast.tender), AMOUNTS, strict=True):
        assert bid.opened_content == seal.unsealed_text(bid, now=opening)
        assert hashlib.sha256(bid.opened_content.encode("utf-8")).hexdigest() == bid.digest
        assert seal.BidContent.from_canonical(bid.opened_content).amount == amount


def test_a_failed_opening_records_its_bids_too(tender_cast):
    tender_cast.bid(0)  # too few bids: the tender fails at its opening
    opening = tender_cast.tender.opening_at
    services.tenders_catch_up(now=opening)
    assert Tender.objects.get(pk=tender_cast.tender.pk).status == TenderStatus.FAILED
    [bid] = _bids(tender_cast.tender)
    assert seal.opened(bid, now=opening) == seal.unseal(bid, now=opening)
    assert bid.opened_content


def test_opened_refuses_before_the_opening_time_even_with_a_record(tender_cast):
    tender_cast.bid(0)
    opening = tender_cast.tender.opening_at
    services.tenders_catch_up(now=opening)
    [bid] = _bids(tender_cast.tender)
    assert bid.opened_content
    with pytest.raises(SealedError):
        seal.opened(bid, now=opening - timedelta(microseconds=1))
    with pytest.raises(SealedError):
        seal.opened_record(bid.tender, bid.opened_content, bid.digest, now=opening - timedelta(microseconds=1))


def test_opened_reads_the_record_without_the_key(tender_cast, settings):
    tender_cast.bid(0)
    opening = tender_cast.tender.opening_at
    services.tenders_catch_up(now=opening)
    [bid] = _bids(tender_cast.tender)
    settings.BID_SEAL_KEYS = [Fernet.generate_key().decode()]  # the sealing key is gone
    with pytest.raises(ImproperlyConfigured):
        seal.unseal(bid, now=opening)
    assert seal.opened(bid, now=opening).amount == AMOUNTS[0]


def test_opened_unseals_a_record_that_does_not_match_the_digest(tender_cast):
    tender_cast.bid(0)
    opening = tender_cast.tender.opening_at
    services.tenders_catch_up(now=opening)
    [bid] = _bids(tender_cast.tender)
    altered = bid.opened_content.replace(f"{AMOUNTS[0]:.2f}", "100.00")
    Bid.objects.filter(pk=bid.pk).update(opened_content=altered)  # altered by hand in the database
    [bid] = _bids(tender_cast.tender)
    assert bid.opened_content == altered
    assert seal.opened(bid, now=opening).amount == AMOUNTS[0]


def test_the_clock_records_the_bids_of_opened_tenders_it_has_none_for(tender_cast):
    """A database from before the record (or an opening the clock could not decrypt) catches up."""
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    services.tenders_catch_up()
    Bid.objects.filter(tender=tender).update(opened_content="")
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.OPENED  # nothing left to move
    assert services.tenders_catch_up() == 0
    for bid in _bids(tender):
        assert bid.opened_content == seal.unsealed_text(bid)
