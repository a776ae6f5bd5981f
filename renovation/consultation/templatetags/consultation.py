"""Shapes consultation figures into the rows the bar include draws: (label, figure, bar width %)."""

from decimal import Decimal
from typing import Any

from django import template

from renovation.figures import format_percent

register = template.Library()


@register.filter
def households_missing(tally: Any) -> int:
    return max(tally.needed - tally.agree, 0)


@register.filter
def option_rows(result: Any) -> list[tuple[str, str, Decimal]]:
    return [
        (option.label, f"{option.votes} · {format_percent(option.percent)}", option.percent)
        for option in result.options
    ]


@register.filter
def category_rows(summary: Any) -> list[tuple[str, str, Decimal]]:
    """Averages out of 5; the bar is the average as a share of 5."""
    return [(label, f"{average} / 5", average * 20) for label, average in summary.by_category]
