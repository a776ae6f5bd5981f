"""How figures are shown: money kept in yuan (Decimal, two places) as 元 or 万元, progress as %."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from cn2an import an2cn
from django.utils.translation import gettext as _

TEN_THOUSAND = Decimal("10000")


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_yuan(value: Any) -> str:
    """1234567.8 → "1,234,567.80 元"."""
    amount = _to_decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _("%(amount)s yuan") % {"amount": f"{amount:,.2f}"}


def yuan_in_capitals(value: Any) -> str:
    """873456.21 → "捌拾柒万叁仟肆佰伍拾陆元贰角壹分": the amount in financial capitals (大写金额), as a
    Chinese bid or contract states it beside the figures so that a slipped digit shows."""
    amount = _to_decimal(value)
    if amount is None or amount < 0:
        return "—"
    return an2cn(str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)), "rmb")


def format_wan_yuan(value: Any) -> str:
    """1234567.8 → "123.46 万元": how budgets are read out in plans and reports."""
    amount = _to_decimal(value)
    if amount is None:
        return "—"
    wan = (amount / TEN_THOUSAND).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _("%(amount)s × 10k yuan") % {"amount": f"{wan:,.2f}"}


def format_percent(value: Any) -> str:
    """42.5 → "42.5%", 100.00 → "100%"."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    if number == number.to_integral_value():
        return f"{number:.0f}%"
    return f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
