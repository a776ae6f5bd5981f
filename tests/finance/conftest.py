from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from renovation.finance.models import EntryKind, IncomeSource
from renovation.finance.services import ledger_entry_record
from tests.factories import ProjectFactory
from tests.finance.factories import contract_for


@dataclass
class Books:
    project: Any  # street A, with a contract of 1,000,000 yuan
    other_project: Any  # street B
    contract: Any


@pytest.fixture
def books(personas) -> Books:
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造", code="RA-2026-01")
    other = ProjectFactory(neighbourhood=personas.street_b_place, name="玉海苑改造", code="RA-2026-02")
    return Books(project=project, other_project=other, contract=contract_for(project, "1000000.00", number="HT-001"))


@pytest.fixture
def record(personas):
    """Record an entry as street A's staff, with sensible defaults."""

    def _record(project: Any, *, actor: Any = None, **fields: Any):
        data = {
            "project": project,
            "kind": EntryKind.PAYMENT,
            "amount": Decimal("1000.00"),
            "counterparty": "瑞安市建筑工程有限公司",
            "purpose": "进度款",
            "booked_on": timezone.localdate(),
        }
        if fields.get("kind") == EntryKind.INCOME:
            data["source"] = IncomeSource.CITY
            data["counterparty"] = "瑞安市财政局"
            data["purpose"] = "市级配套资金"
        data.update(fields)
        return ledger_entry_record(actor=actor or personas.street_a, data=data)

    return _record
