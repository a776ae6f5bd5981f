"""Reads of the ledger: scoped lists for staff, contract positions, quarter figures, and what the
public project page shows. Each is a fixed number of queries whatever the number of entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.projects.models import Project
from renovation.tendering.models import ChangeOrder, ChangeOrderStatus, Contract

from .models import ZERO, EntryKind, IncomeSource, LedgerEntry, QuarterlyDisclosure, StatementImport, quarter_bounds

MONEY = DecimalField(max_digits=16, decimal_places=2)
CENT = Decimal("0.01")
ENTRY_RELATED = ("project__neighbourhood__community__street", "contract__contractor", "corrects")


def ledger_entries_manageable_by(user: Any) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.select_related(*ENTRY_RELATED)
    if is_bureau(user):
        return entries
    return entries.filter(project__neighbourhood__community__street_id=staff_street_id(user))


def disclosures_manageable_by(user: Any) -> QuerySet[QuarterlyDisclosure]:
    disclosures = QuarterlyDisclosure.objects.select_related("project__neighbourhood__community__street")
    if is_bureau(user):
        return disclosures
    return disclosures.filter(project__neighbourhood__community__street_id=staff_street_id(user))


def statement_imports_recent(project: Project, limit: int = 10) -> QuerySet[StatementImport]:
    """The project's latest statement imports, newest first, for its upload page."""
    return (
        StatementImport.objects.filter(project=project)
        .select_related("uploaded_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def contracts_of(projects: QuerySet[Project]) -> QuerySet[Contract]:
    return Contract.objects.filter(project__in=projects).select_related("contractor", "project")


# --- contracts: how much may still be paid ----------------------------------------------------


def approved_changes_sum(contract_ref: Any) -> Coalesce:
    """Sum of a contract's approved change orders, as a subquery (``contract_ref``: OuterRef)."""
    approved = (
        ChangeOrder.objects.filter(contract=contract_ref, status=ChangeOrderStatus.APPROVED)
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount_change"))
        .values("total")
    )
    return Coalesce(Subquery(approved, output_field=MONEY), Value(ZERO), output_field=MONEY)


def payments_sum(contract_ref: Any) -> Coalesce:
    paid = (
        LedgerEntry.objects.filter(contract=contract_ref, kind=EntryKind.PAYMENT)
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY)


@dataclass(frozen=True)
class ContractPosition:
    number: str
    amount: Decimal
    approved_changes: Decimal
    paid: Decimal
    contractor: str = ""

    @property
    def ceiling(self) -> Decimal:
        """What may be paid in all: the contract amount plus its approved change orders."""
        return self.amount + self.approved_changes

    @property
    def remaining(self) -> Decimal:
        return self.ceiling - self.paid


def contract_positions(contracts: Iterable[int] | QuerySet[Contract]) -> dict[int, ContractPosition]:
    """Contract id → amount, approved changes and payments so far, in one query."""
    queryset = contracts if isinstance(contracts, QuerySet) else Contract.objects.filter(pk__in=list(contracts))
    rows = queryset.annotate(
        approved_changes=approved_changes_sum(OuterRef("pk")), paid=payments_sum(OuterRef("pk"))
    ).values("pk", "number", "amount", "approved_changes", "paid", "contractor__name")
    return {
        row["pk"]: ContractPosition(
            row["number"], row["amount"], row["approved_changes"], row["paid"], row["contractor__name"]
        )
        for row in rows
    }


# --- quarters ---------------------------------------------------------------------------------


def locked_until(project: Project | int) -> date | None:
    """The last day of the project's latest disclosed quarter: nothing dated up to then may be
    added or edited any more, or a published figure (or a later opening balance) would move."""
    latest = (
        QuarterlyDisclosure.objects.filter(project=project).order_by("-year", "-quarter").values("year", "quarter")
    ).first()
    return quarter_bounds(latest["year"], latest["quarter"])[1] if latest else None


def figure_aggregates(prefix: str, first: date, last: date) -> dict[str, Any]:
    """Filtered sums over ``<prefix>`` ledger rows: the balance before ``first`` and the quarter's
    income by source, payments and entry count (usable on entries or, with a prefix, on projects)."""
    p = f"{prefix}__" if prefix else ""
    in_quarter = Q(**{f"{p}booked_on__gte": first, f"{p}booked_on__lte": last})
    before = Q(**{f"{p}booked_on__lt": first})
    income, payment = Q(**{f"{p}kind": EntryKind.INCOME}), Q(**{f"{p}kind": EntryKind.PAYMENT})
    amount = f"{p}amount"
    figures = {
        "income_before": Sum(amount, filter=before & income),
        "payments_before": Sum(amount, filter=before & payment),
        "payments_total": Sum(amount, filter=in_quarter & payment),
        "entry_count": Count(f"{p}pk" if p else "pk", filter=in_quarter),
    }
    for source in IncomeSource.values:
        figures[f"income_{source}"] = Sum(amount, filter=in_quarter & income & Q(**{f"{p}source": source}))
    return figures


@dataclass
class QuarterFigures:
    year: int
    quarter: int
    opening_balance: Decimal = ZERO
    income: dict[str, Decimal] = field(default_factory=dict)  # by IncomeSource value
    payments_total: Decimal = ZERO
    entry_count: int = 0
    published_at: Any = None

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def income_total(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.income_total - self.payments_total

    def income_by_source(self) -> list[tuple[str, Decimal]]:
        return [(str(label), self.income.get(value, ZERO)) for value, label in IncomeSource.choices]


def figures_from_row(row: dict[str, Any], year: int, quarter: int, prefix: str = "") -> QuarterFigures:
    def money(key: str) -> Decimal:
        # SQLite sums decimals as floats: 599308.15 comes back as 599308.150000000, which the
        # disclosure's 14-digit fields refuse. Amounts are whole cents, so the sum is too.
        return (row.get(prefix + key) or ZERO).quantize(CENT)

    return QuarterFigures(
        year=year,
        quarter=quarter,
        opening_balance=money("income_before") - money("payments_before"),
        income={source: money(f"income_{source}") for source in IncomeSource.values},
        payments_total=money("payments_total"),
        entry_count=row.get(prefix + "entry_count") or 0,
    )


def quarter_figures(project: Project, year: int, quarter: int) -> QuarterFigures:
    """The quarter as the ledger has it now (one query)."""
    first, last = quarter_bounds(year, quarter)
    row = LedgerEntry.objects.filter(project=project).aggregate(**figure_aggregates("", first, last))
    return figures_from_row(row, year, quarter)


def figures_from_disclosure(disclosure: QuarterlyDisclosure) -> QuarterFigures:
    return QuarterFigures(
        year=disclosure.year,
        quarter=disclosure.quarter,
        opening_balance=disclosure.opening_balance,
        income={source: getattr(disclosure, f"income_{source}") for source in IncomeSource.values},
        payments_total=disclosure.payments_total,
        entry_count=disclosure.entry_count,
        published_at=disclosure.published_at,
    )
