"""Rules that both the services and the statement import apply, worded once."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from renovation.figures import format_yuan

from .models import ZERO
from .selectors import ContractPosition

# The ledger is public: a mobile number typed into a public field would publish it.
PHONE_NUMBER = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
PUBLIC_TEXT_FIELDS = ("counterparty", "purpose", "note")


def overrun_message(position: ContractPosition, amount: Decimal, pending: Decimal = ZERO) -> str:
    """Why a payment is refused, with the figures: what it would reach and what the contract allows."""
    return _(
        "Payments on contract %(number)s would reach %(total)s, above what it allows: contract amount "
        "%(amount)s plus approved change orders %(changes)s = %(ceiling)s (already paid %(paid)s)."
    ) % {
        "number": position.number,
        "total": format_yuan(position.paid + pending + amount),
        "amount": format_yuan(position.amount),
        "changes": format_yuan(position.approved_changes),
        "ceiling": format_yuan(position.ceiling),
        "paid": format_yuan(position.paid + pending),
    }
