from datetime import date
from decimal import Decimal

import pytest

from renovation.checks.findings import Finding
from renovation.checks.money import disclosed_quarters_frozen, ledger_balances, payments_within_contract
from renovation.finance.models import EntryKind, LedgerEntry, QuarterlyDisclosure
from tests.factories import ProjectFactory
from tests.finance.factories import change_order, contract_for

pytestmark = pytest.mark.django_db


def _pay(contract, amount: str, day: date = date(2024, 2, 1)) -> LedgerEntry:
    return LedgerEntry.objects.create(
        project=contract.project,
        kind=EntryKind.PAYMENT,
        amount=Decimal(amount),
        booked_on=day,
        counterparty=contract.contractor.name,
        purpose="进度款",
        contract=contract,
    )


def test_it_finds_nothing_when_payments_stay_within_contract_and_approved_changes():
    contract = contract_for(ProjectFactory(), "100000.00")
    change_order(contract, "5000.00")
    change_order(contract, "9000.00", status="proposed")
    _pay(contract, "60000.00")
    _pay(contract, "45000.00")

    assert list(payments_within_contract()) == []


def test_it_finds_nothing_when_a_contract_is_paid_exactly_to_the_cent():
    # As floats (SQLite's sums) these four add up to 754338.1900000001.
    contract = contract_for(ProjectFactory(), "754338.19")
    for amount in ("226301.45", "226301.45", "188584.54", "113150.75"):
        _pay(contract, amount)

    assert list(payments_within_contract()) == []


def test_it_finds_payments_above_contract_and_approved_changes():
    project = ProjectFactory(code="RA-2024-01")
    contract = contract_for(project, "100000.00", number="HT-OVER", company="温州宏业建设有限公司")
    change_order(contract, "5000.00")
    change_order(contract, "9000.00", status="proposed")  # not approved: allows nothing
    _pay(contract, "105000.01")

    assert list(payments_within_contract()) == [
        Finding(
            "payments-within-contract",
            f"contract HT-OVER with 温州宏业建设有限公司 (project RA-2024-01 {project.name})",
            "paid 105000.01 > contract 100000.00 + approved changes 5000.00 = 105000.00",
        )
    ]


def _ledger(project) -> None:
    LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.INCOME,
        source="city",
        amount=Decimal("1000.00"),
        booked_on=date(2024, 1, 10),
        counterparty="瑞安市财政局",
        purpose="市级补助",
    )
    LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.PAYMENT,
        amount=Decimal("300.00"),
        booked_on=date(2024, 2, 10),
        counterparty="瑞安市建筑工程有限公司",
        purpose="设计费",
    )
    LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.PAYMENT,
        amount=Decimal("200.00"),
        booked_on=date(2024, 4, 2),
        counterparty="瑞安市建筑工程有限公司",
        purpose="进度款",
    )


def _disclose(project, year: int, quarter: int, **figures: str) -> QuarterlyDisclosure:
    values = {
        "opening_balance": "0",
        "income_central": "0",
        "income_provincial": "0",
        "income_city": "0",
        "income_resident": "0",
        "income_other": "0",
        "income_total": "0",
        "payments_total": "0",
        "closing_balance": "0",
        "entry_count": 0,
    }
    values.update(figures)
    return QuarterlyDisclosure.objects.create(
        project=project,
        year=year,
        quarter=quarter,
        **{name: Decimal(value) if name != "entry_count" else value for name, value in values.items()},
    )


def _true_disclosures(project) -> None:
    _disclose(
        project,
        2024,
        1,
        income_city="1000",
        income_total="1000",
        payments_total="300",
        closing_balance="700",
        entry_count=2,
    )
    _disclose(project, 2024, 2, opening_balance="700", payments_total="200", closing_balance="500", entry_count=1)


def test_it_finds_nothing_when_published_balances_are_the_sums_of_the_entries():
    project = ProjectFactory()
    _ledger(project)
    _true_disclosures(project)

    assert list(ledger_balances()) == []
    assert list(disclosed_quarters_frozen()) == []


def test_it_finds_a_published_balance_that_is_not_the_sum_of_the_entries():
    project = ProjectFactory(code="RA-2024-02")
    _ledger(project)
    _disclose(project, 2024, 2, opening_balance="600", payments_total="200", closing_balance="400", entry_count=1)

    assert list(ledger_balances()) == [
        Finding(
            "ledger-balances",
            f"2024 Q2 disclosure of project RA-2024-02 {project.name}",
            "opening balance 600.00 ≠ entries before the quarter 700.00",
        ),
        Finding(
            "ledger-balances",
            f"2024 Q2 disclosure of project RA-2024-02 {project.name}",
            "closing balance 400.00 ≠ entries up to its end 500.00",
        ),
    ]


def test_it_finds_an_entry_booked_into_a_disclosed_quarter_afterwards():
    project = ProjectFactory(code="RA-2024-03")
    _ledger(project)
    _true_disclosures(project)
    LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.INCOME,
        source="resident",
        amount=Decimal("50.00"),
        booked_on=date(2024, 5, 1),
        counterparty="居民",
        purpose="居民出资",
    )

    assert list(disclosed_quarters_frozen()) == [
        Finding(
            "disclosed-quarters-frozen",
            f"2024 Q2 disclosure of project RA-2024-03 {project.name}",
            "居民出资 income frozen at 0.00, entries now 50.00",
        ),
        Finding(
            "disclosed-quarters-frozen",
            f"2024 Q2 disclosure of project RA-2024-03 {project.name}",
            "1 entries frozen, 2 now",
        ),
    ]
