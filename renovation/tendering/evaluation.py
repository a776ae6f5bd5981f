"""Ranking bids by the tender's evaluation method.

Lowest compliant price: compliant bids by amount, lowest first. Comprehensive score: the price
score is the price weight times lowest compliant amount / this amount (the lowest bid gets the
full weight), plus the technical score (0-100) scaled to the technical weight; highest total
first. Ties go to the lower amount, then to the earlier submission. Non-compliant bids are not
ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Bid, EvaluationMethod, Tender

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class BidScore:
    bid: Bid
    amount: Decimal
    compliant: bool
    technical_score: Any = None
    note: str = ""
    price_score: Decimal | None = None
    total_score: Decimal | None = None
    rank: int | None = None


def _technical(score: BidScore) -> Decimal:
    try:
        value = Decimal(str(score.technical_score))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            _("Enter a technical score between 0 and 100 for %(name)s.") % {"name": score.bid.bidder.name}
        ) from error
    # NaN and infinities parse as Decimals but are no score (and NaN cannot even be compared).
    if not value.is_finite() or not Decimal("0") <= value <= HUNDRED or score.technical_score in (None, ""):
        raise ValidationError(
            _("Enter a technical score between 0 and 100 for %(name)s.") % {"name": score.bid.bidder.name}
        )
    return value.quantize(CENT, ROUND_HALF_UP)


def rank_bids(tender: Tender, scores: list[BidScore]) -> list[BidScore]:
    compliant = [score for score in scores if score.compliant]
    others = [
        replace(score, technical_score=None, price_score=None, total_score=None, rank=None)
        for score in scores
        if not score.compliant
    ]
    if tender.method == EvaluationMethod.COMPREHENSIVE and compliant:
        lowest = min(score.amount for score in compliant)
        weighted = []
        for score in compliant:
            technical = _technical(score)
            price = (Decimal(tender.price_weight) * lowest / score.amount).quantize(CENT, ROUND_HALF_UP)
            technical_part = (technical * Decimal(tender.technical_weight) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
            weighted.append(
                replace(score, technical_score=technical, price_score=price, total_score=price + technical_part)
            )
        ordered = sorted(weighted, key=lambda s: (-s.total_score, s.amount, s.bid.submitted_at, s.bid.pk))
    else:
        ordered = sorted(
            (replace(score, technical_score=None) for score in compliant),
            key=lambda s: (s.amount, s.bid.submitted_at, s.bid.pk),
        )
    ranked = [replace(score, rank=position) for position, score in enumerate(ordered, start=1)]
    return ranked + others
