"""How ``redflags.opened_tenders`` turns tenders into plain data: only through the opening record
(the seal decides what is opened), winners only of awarded tenders, failures from the status."""

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from renovation.tendering import redflags, selectors
from renovation.tendering.models import TenderStatus

NOW = datetime(2026, 11, 29, 2, tzinfo=UTC)


def _tender(pk: int, status: str, *, award_uscc: str | None = None, previous_id: int | None = None):
    award = SimpleNamespace(bidder=SimpleNamespace(uscc=award_uscc)) if award_uscc else None
    tender = SimpleNamespace(
        pk=pk,
        code=f"T{pk}",
        status=status,
        ceiling_price=Decimal("900000"),
        previous_id=previous_id,
        project=SimpleNamespace(neighbourhood=SimpleNamespace(community=SimpleNamespace(street_id=7))),
    )
    if award is not None:
        tender.award = award
    return tender


@pytest.fixture
def opening_records(monkeypatch):
    """Opening records by tender id; a tender missing here is still sealed (None)."""
    records: dict[int, list] = {}

    def opened_rows(tender, now):
        assert now == NOW
        return records.get(tender.pk)

    monkeypatch.setattr(selectors, "opened_rows", opened_rows)
    return records


def _row(uscc: str, name: str, amount: str):
    return SimpleNamespace(uscc=uscc, bidder_name=name, amount=Decimal(amount))


def test_it_leaves_out_sealed_tenders_and_keeps_the_opened_ones(opening_records):
    opening_records[2] = [_row("U1", "甲", "800000"), _row("U2", "乙", "810000")]
    loaded = redflags.opened_tenders([_tender(1, TenderStatus.BIDDING), _tender(2, TenderStatus.OPENED)], NOW)
    assert loaded == [
        redflags.OpenedTender(
            pk=2,
            code="T2",
            street=7,
            ceiling=Decimal("900000"),
            bids=(redflags.OpenedBid("U1", "甲", Decimal("800000")), redflags.OpenedBid("U2", "乙", Decimal("810000"))),
        )
    ]


def test_an_opened_tender_without_bids_is_kept(opening_records):
    opening_records[1] = []
    opening_records[2] = [_row("U1", "甲", "1")]
    loaded = redflags.opened_tenders([_tender(1, TenderStatus.FAILED), _tender(2, TenderStatus.OPENED)], NOW)
    assert [(tender.pk, tender.failed) for tender in loaded] == [(1, True), (2, False)]


def test_it_takes_the_winner_only_of_an_awarded_tender(opening_records):
    for pk in (1, 2, 3):
        opening_records[pk] = [_row("U1", "甲", "1")]
    tenders = [
        _tender(1, TenderStatus.AWARDED, award_uscc="U1"),
        _tender(2, TenderStatus.PUBLICITY),  # no award yet
        _tender(3, TenderStatus.EVALUATED, award_uscc="U9"),  # an award row not in force
    ]
    assert [tender.winner for tender in redflags.opened_tenders(tenders, NOW)] == ["U1", None, None]


def test_it_keeps_the_link_to_the_failed_tender(opening_records):
    opening_records[5] = [_row("U1", "甲", "1")]
    [loaded] = redflags.opened_tenders([_tender(5, TenderStatus.OPENED, previous_id=4)], NOW)
    assert loaded.previous == 4


@pytest.mark.parametrize(("share", "label"), [("0.02", "2%"), ("0.001", "0.1%"), ("0.125", "12.5%"), ("0", "0%")])
def test_a_share_reads_as_a_percentage(share, label):
    assert redflags.share_label(Decimal(share)) == label


def test_the_thresholds_come_from_the_settings(settings):
    settings.TENDER_FLAG_NEAR_IDENTICAL_SHARE = Decimal("0.005")
    settings.TENDER_FLAG_CEILING_BAND = Decimal("0.03")
    settings.TENDER_FLAG_SMALL_SET = 5
    settings.TENDER_FLAG_SAME_SET_MIN = 2
    settings.TENDER_FLAG_WINNER_MIN_AWARDS = 4
    assert redflags.thresholds_from_settings() == redflags.Thresholds(
        near_identical_share=Decimal("0.005"),
        ceiling_band=Decimal("0.03"),
        small_set=5,
        same_set_min=2,
        winner_min_awards=4,
    )
