"""How progress adds up: a budget-weighted mean of the work items' own progress."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")


def weighted_progress(items: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Budget-weighted mean of (budget, progress) pairs, to two decimals.

    Items count equally when none has a budget yet (a plan still being costed)."""
    items = list(items)
    if not items:
        return ZERO
    total_budget = sum((budget for budget, _progress in items), ZERO)
    if total_budget > 0:
        progress = sum((budget * value for budget, value in items), ZERO) / total_budget
    else:
        progress = sum((value for _budget, value in items), ZERO) / len(items)
    return progress.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
