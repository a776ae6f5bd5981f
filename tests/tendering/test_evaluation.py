"""Ranking bids: lowest compliant price, or price score plus technical score (rounded half up)."""

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from renovation.tendering.evaluation import BidScore, rank_bids
from renovation.tendering.models import EvaluationMethod

START = datetime(2026, 5, 1, 9, 0)


def _bid(pk, name, minutes=0):
    return SimpleNamespace(pk=pk, bidder=SimpleNamespace(name=name), submitted_at=START + timedelta(minutes=minutes))


def _tender(method=EvaluationMethod.COMPREHENSIVE, price=60, technical=40):
    return SimpleNamespace(method=method, price_weight=price, technical_weight=technical)


def _score(pk, amount, technical=None, compliant=True, minutes=None):
    return BidScore(
        bid=_bid(pk, f"公司{pk}", pk if minutes is None else minutes),
        amount=Decimal(amount),
        compliant=compliant,
        technical_score=technical,
    )


def _by_pk(ranked):
    return {score.bid.pk: score for score in ranked}


def test_it_ranks_compliant_bids_by_lowest_price_and_leaves_others_unranked():
    ranked = _by_pk(
        rank_bids(
            _tender(EvaluationMethod.LOWEST_PRICE),
            [_score(1, "900"), _score(2, "800", compliant=False), _score(3, "850"), _score(4, "850", minutes=0)],
        )
    )
    assert [ranked[pk].rank for pk in (4, 3, 1)] == [1, 2, 3]  # the tie goes to the earlier submission
    assert ranked[2].rank is None and ranked[2].total_score is None
    assert ranked[1].technical_score is None


def test_it_scores_price_against_the_lowest_compliant_bid_and_adds_the_weighted_technical_score():
    ranked = _by_pk(
        rank_bids(
            _tender(), [_score(1, "800", "50"), _score(2, "1000", "100"), _score(3, "700", "100", compliant=False)]
        )
    )
    # Price: 60 × 800/800 = 60.00 and 60 × 800/1000 = 48.00; technical: 50 × 40% = 20.00, 100 × 40% = 40.00.
    assert (ranked[1].price_score, ranked[1].total_score) == (Decimal("60.00"), Decimal("80.00"))
    assert (ranked[2].price_score, ranked[2].total_score) == (Decimal("48.00"), Decimal("88.00"))
    assert (ranked[2].rank, ranked[1].rank, ranked[3].rank) == (1, 2, None)
    assert ranked[3].price_score is None


def test_it_accepts_technical_scores_of_exactly_0_and_100_and_below_1():
    ranked = _by_pk(rank_bids(_tender(), [_score(1, "100", "100"), _score(2, "100", "0"), _score(3, "100", "0.5")]))
    assert ranked[1].technical_score == Decimal("100.00")
    assert ranked[2].technical_score == Decimal("0.00")
    assert ranked[3].technical_score == Decimal("0.50")
    assert ranked[3].total_score == Decimal("60.20")
    assert [ranked[pk].rank for pk in (1, 3, 2)] == [1, 2, 3]


@pytest.mark.parametrize("bad", ["100.01", "-0.01", "abc", "", None, "NaN", "Infinity"])
def test_it_refuses_a_technical_score_outside_0_to_100_naming_the_company(bad):
    with pytest.raises(ValidationError) as refused:
        rank_bids(_tender(), [_score(1, "100", "50"), _score(7, "100", bad)])
    assert "公司7" in refused.value.messages[0]
    assert "0" in refused.value.messages[0] and "100" in refused.value.messages[0]


def test_it_rounds_price_and_technical_scores_half_up_to_the_cent():
    # Price: 60 × 1000/1600 = 37.5 exactly; 60 × 1000/3200 = 18.75; 60 × 1000/6400 = 9.375 → 9.38 (half up).
    ranked = _by_pk(rank_bids(_tender(), [_score(1, "1000", "0"), _score(2, "6400", "0"), _score(3, "3200", "0")]))
    assert ranked[2].price_score == Decimal("9.38")
    assert ranked[3].price_score == Decimal("18.75")
    # Technical: 0.125 rounds to 0.13 first, then 0.13 × 50% = 0.065 → 0.07 (half up; half even gives 0.06).
    ranked = _by_pk(rank_bids(_tender(price=50, technical=50), [_score(1, "100", "0.125")]))
    assert ranked[1].technical_score == Decimal("0.13")
    assert ranked[1].total_score == Decimal("50.07")


def test_it_breaks_equal_totals_by_the_lower_amount_then_the_earlier_submission():
    # Same total 70.00: bid 1 cheaper (60 + 10) against bid 2 (50 + 20).
    ranked = _by_pk(rank_bids(_tender(), [_score(2, "1200", "50"), _score(1, "1000", "25")]))
    assert (ranked[1].total_score, ranked[2].total_score) == (Decimal("70.00"), Decimal("70.00"))
    assert (ranked[1].rank, ranked[2].rank) == (1, 2)
    ranked = _by_pk(rank_bids(_tender(), [_score(5, "1000", "25", minutes=9), _score(6, "1000", "25", minutes=1)]))
    assert (ranked[6].rank, ranked[5].rank) == (1, 2)
    ranked = _by_pk(rank_bids(_tender(), [_score(9, "1000", "25", minutes=1), _score(8, "1000", "25", minutes=1)]))
    assert (ranked[8].rank, ranked[9].rank) == (1, 2)


def test_it_ranks_nothing_when_no_bid_is_compliant():
    ranked = rank_bids(_tender(), [_score(1, "100", "50", compliant=False)])
    assert [(score.rank, score.technical_score) for score in ranked] == [(None, None)]
