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
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.changelog.selectors import ChangeEntry, history_entries, ordered_history
from renovation.figures import format_yuan
from renovation.projects.models import Project
from renovation.tendering.models import ChangeOrder, ChangeOrderStatus, Contract

from .models import ZERO, EntryKind, IncomeSource, LedgerEntry, QuarterlyDisclosure, quarter_bounds, quarter_of

MONEY = DecimalField(max_digits=16, decimal_places=2)
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
    ).values("pk", "number", "amount", "approved_changes", "paid")
    return {
        row["pk"]: ContractPosition(row["number"], row["amount"], row["approved_changes"], row["paid"]) for row in rows
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
        return row.get(prefix + key) or ZERO

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


# --- the public project page --------------------------------------------------------------------


RECENT_QUARTERS = 4


@dataclass
class PublicFinance:
    quarters: list[QuarterFigures]  # disclosed, oldest first
    running: QuarterFigures | None  # everything after the last disclosure, not yet disclosed
    running_since: date | None
    payments: list[LedgerEntry]  # newest first, corrections included
    max_bar: Decimal

    @property
    def balance(self) -> Decimal:
        if self.running is not None:
            return self.running.closing_balance
        return self.quarters[-1].closing_balance if self.quarters else ZERO

    @property
    def empty(self) -> bool:
        return not self.quarters and self.running is None and not self.payments

    # On a phone the latest year matters most; older quarters fold away.
    @property
    def recent_quarters(self) -> list[QuarterFigures]:
        return self.quarters[::-1][:RECENT_QUARTERS]

    @property
    def earlier_quarters(self) -> list[QuarterFigures]:
        return self.quarters[::-1][RECENT_QUARTERS:]


def public_finance(project: Project, today: date) -> PublicFinance:
    """Disclosed quarters from their frozen figures, a running figure for what came after, and
    every payment line (three queries)."""
    disclosures = list(QuarterlyDisclosure.objects.filter(project=project).order_by("year", "quarter"))
    quarters = [figures_from_disclosure(disclosure) for disclosure in disclosures]
    lock = quarter_bounds(disclosures[-1].year, disclosures[-1].quarter)[1] if disclosures else None
    since = date.fromordinal(lock.toordinal() + 1) if lock else date(1900, 1, 1)
    row = LedgerEntry.objects.filter(project=project).aggregate(**figure_aggregates("", since, date.max))
    running = None
    if row["entry_count"]:
        year, quarter = quarter_of(today)
        running = figures_from_row(row, year, quarter)
    payments = list(
        LedgerEntry.objects.filter(project=project, kind=EntryKind.PAYMENT)
        .select_related("contract", "corrects")
        .order_by("-booked_on", "-pk")
    )
    shown = [*quarters, *([running] if running else [])]
    max_bar = max([max(q.income_total, q.payments_total) for q in shown] or [ZERO])
    return PublicFinance(
        quarters=quarters, running=running, running_since=since if lock else None, payments=payments, max_bar=max_bar
    )


# --- the public change log ------------------------------------------------------------------------

ENTRY_PUBLIC_FIELDS = ("kind", "source", "amount", "booked_on", "purpose", "contract", "invoice_number", "note")


def public_counterparty(kind: str, source: str, counterparty: str) -> str:
    """Residents' contributions are shown in aggregate, never under a person's name."""
    if kind == EntryKind.INCOME and source == IncomeSource.RESIDENT:
        return str(_("Residents (in aggregate)"))
    return counterparty


def _subject(record: Any) -> str:
    label = _("Ledger correction") if record.corrects_id else _("Ledger entry")
    kind = dict(EntryKind.choices).get(record.kind, record.kind)
    who = public_counterparty(record.kind, record.source, record.counterparty)
    return f"{label} · {record.booked_on:%Y-%m-%d} {kind} · {who}"


def ledger_change_log(project: Project) -> list[ChangeEntry]:
    """Corrections (each a new line) and edits in place of the project's ledger, for the public
    change log. Recording an ordinary entry is not a change and stays out (three queries)."""
    contracts = dict(Contract.objects.filter(project=project).values_list("pk", "number"))

    def formatter(model: Any, name: str, value: Any) -> Any:
        if value is None or value == "":
            return "—"
        if name == "amount":
            return format_yuan(value)
        if name == "contract":
            return contracts.get(value, value)
        field_obj = model._meta.get_field(name)
        return dict(field_obj.flatchoices).get(value, value) if field_obj.choices else value

    history = LedgerEntry.history.filter(project_id=project.pk)
    edits = history_entries(
        ordered_history(history), fields=ENTRY_PUBLIC_FIELDS, subject=_subject, formatter=formatter, show_created=False
    )
    corrections = history_entries(
        ordered_history(history.filter(corrects_id__isnull=False)),
        fields=ENTRY_PUBLIC_FIELDS,
        subject=_subject,
        formatter=formatter,
    )
    return sorted([*edits, *(entry for entry in corrections if entry.created)], key=lambda entry: entry.when)


@dataclass(frozen=True)
class DisclosedTotals:
    income: Decimal
    payments: Decimal
    projects: int


def plan_year_disclosed(year: int | None) -> DisclosedTotals:
    """Income and payments of a plan year's projects, as their published quarters say (one query)."""
    row = QuarterlyDisclosure.objects.filter(project__plan_year=year).aggregate(
        income=Sum("income_total"), payments=Sum("payments_total"), projects=Count("project", distinct=True)
    )
    return DisclosedTotals(income=row["income"] or ZERO, payments=row["payments"] or ZERO, projects=row["projects"])
