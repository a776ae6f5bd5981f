"""Money: payments stay within what a contract allows, and every published quarter agrees with the
ledger entries it was frozen from (balances and figures alike)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from renovation.finance.models import EntryKind, IncomeSource, LedgerEntry, QuarterlyDisclosure
from renovation.finance.selectors import approved_changes_sum, payments_sum
from renovation.tendering.models import Contract

from .findings import Finding, project_label

ZERO = Decimal("0")
CENT = Decimal("0.01")


def money(value: Decimal | None) -> Decimal:
    """A sum as the ledger writes it (SQLite hands sums back with stray decimals)."""
    return Decimal(value or 0).quantize(CENT)


def payments_within_contract() -> Iterator[Finding]:
    """Payments on a contract never exceed its amount plus its approved change orders."""
    contracts = (
        Contract.objects.annotate(approved=approved_changes_sum(OuterRef("pk")), paid=payments_sum(OuterRef("pk")))
        .filter(paid__gt=F("amount") + F("approved"))
        .select_related("project", "contractor")
        .order_by("pk")
    )
    for contract in contracts:
        paid, approved = money(contract.paid), money(contract.approved)
        if paid <= contract.amount + approved:
            continue  # SQLite compared float sums: paid in full to the cent is not above it
        yield Finding(
            "payments-within-contract",
            f"contract {contract.number} with {contract.contractor.name} ({project_label(contract.project)})",
            f"paid {paid} > contract {contract.amount} + approved changes {approved} = {contract.amount + approved}",
        )


@dataclass
class _Quarter:
    income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    payments: Decimal = ZERO
    count: int = 0


def _ledger_by_quarter(project_ids: list[int]) -> dict[int, dict[tuple[int, int], _Quarter]]:
    """Project → (year, quarter) → sums, in one grouped query (rows: projects × months × kinds)."""
    result: dict[int, dict[tuple[int, int], _Quarter]] = defaultdict(lambda: defaultdict(_Quarter))
    rows = (
        LedgerEntry.objects.filter(project_id__in=project_ids)
        .annotate(year=ExtractYear("booked_on"), month=ExtractMonth("booked_on"))
        .order_by()
        .values("project_id", "year", "month", "kind", "source")
        .annotate(total=Sum("amount"), count=Count("pk"))
    )
    for row in rows:
        quarter = result[row["project_id"]][(row["year"], (row["month"] - 1) // 3 + 1)]
        quarter.count += row["count"]
        if row["kind"] == EntryKind.INCOME:
            quarter.income[row["source"]] += money(row["total"])
        else:
            quarter.payments += money(row["total"])
    return result


def _disclosures() -> tuple[list[QuarterlyDisclosure], dict[int, dict[tuple[int, int], _Quarter]]]:
    disclosures = list(QuarterlyDisclosure.objects.select_related("project").order_by("project_id", "year", "quarter"))
    return disclosures, _ledger_by_quarter(sorted({d.project_id for d in disclosures}))


def _balance_before(quarters: dict[tuple[int, int], _Quarter], year: int, quarter: int) -> Decimal:
    return sum(
        (sum(q.income.values(), ZERO) - q.payments for key, q in quarters.items() if key < (year, quarter)),
        ZERO,
    )


def _record(disclosure: QuarterlyDisclosure) -> str:
    return f"{disclosure.year} Q{disclosure.quarter} disclosure of {project_label(disclosure.project)}"


def ledger_balances() -> Iterator[Finding]:
    """A published balance is the sum of the entries: the opening balance is all income less all
    payments before the quarter, the closing balance adds the quarter's, and totals add up."""
    disclosures, ledger = _disclosures()
    for disclosure in disclosures:
        quarters = ledger[disclosure.project_id]
        opening = _balance_before(quarters, disclosure.year, disclosure.quarter)
        this = quarters.get((disclosure.year, disclosure.quarter), _Quarter())
        closing = opening + sum(this.income.values(), ZERO) - this.payments
        sources = sum((getattr(disclosure, f"income_{source}") for source in IncomeSource.values), ZERO)
        problems = []
        if disclosure.opening_balance != opening:
            problems.append(f"opening balance {disclosure.opening_balance} ≠ entries before the quarter {opening}")
        if disclosure.closing_balance != closing:
            problems.append(f"closing balance {disclosure.closing_balance} ≠ entries up to its end {closing}")
        if disclosure.income_total != sources:
            problems.append(f"income {disclosure.income_total} ≠ sum of its sources {sources}")
        expected = disclosure.opening_balance + disclosure.income_total - disclosure.payments_total
        if disclosure.closing_balance != expected:
            problems.append(f"closing balance {disclosure.closing_balance} ≠ opening + income − payments {expected}")
        for problem in problems:
            yield Finding("ledger-balances", _record(disclosure), problem)


def disclosed_quarters_frozen() -> Iterator[Finding]:
    """A disclosed quarter's frozen figures are what its entries still say (nothing booked into
    a published quarter afterwards, nothing edited)."""
    disclosures, ledger = _disclosures()
    for disclosure in disclosures:
        this = ledger[disclosure.project_id].get((disclosure.year, disclosure.quarter), _Quarter())
        problems = []
        for source, label in IncomeSource.choices:
            frozen, now = getattr(disclosure, f"income_{source}"), this.income.get(source, ZERO)
            if frozen != now:
                problems.append(f"{label} income frozen at {frozen}, entries now {now}")
        if disclosure.payments_total != this.payments:
            problems.append(f"payments frozen at {disclosure.payments_total}, entries now {this.payments}")
        if disclosure.entry_count != this.count:
            problems.append(f"{disclosure.entry_count} entries frozen, {this.count} now")
        for problem in problems:
            yield Finding("disclosed-quarters-frozen", _record(disclosure), problem)
