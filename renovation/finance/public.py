"""What the public sees of the ledger: a project's quarters and payments, the ledger's lines in
the project's change log, and a plan year's disclosed totals. Residents appear only in aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from renovation.changelog.paging import HistorySource, history_model
from renovation.changelog.selectors import ChangeEntry, history_entries, ordered_history
from renovation.figures import format_yuan
from renovation.projects.models import Project
from renovation.tendering.models import Contract

from .models import ZERO, EntryKind, IncomeSource, LedgerEntry, QuarterlyDisclosure, quarter_bounds, quarter_of
from .selectors import (
    ContractPosition,
    QuarterFigures,
    contract_positions,
    figure_aggregates,
    figures_from_disclosure,
    figures_from_row,
)

# --- the public project page --------------------------------------------------------------------


RECENT_QUARTERS = 4
# The project page shows the latest payments; all of them are on its own paged list (payments/).
RECENT_PAYMENTS = 5


@dataclass
class PublicFinance:
    quarters: list[QuarterFigures]  # disclosed, oldest first
    running: QuarterFigures | None  # everything after the last disclosure, not yet disclosed
    running_since: date | None
    payments: list[LedgerEntry]  # newest first, corrections included; the latest ``payments_limit``
    max_bar: Decimal
    contracts: list[ContractPosition]
    more_payments: bool = False  # payments beyond those listed

    @property
    def paid(self) -> Decimal:
        """Every payment booked: the disclosed quarters' frozen totals plus the running figure."""
        shown = [*self.quarters, *([self.running] if self.running else [])]
        return sum((quarter.payments_total for quarter in shown), ZERO)

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


def public_payments(project: Project) -> QuerySet[LedgerEntry]:
    """A project's payment lines, newest first, corrections included."""
    return (
        LedgerEntry.objects.filter(project=project, kind=EntryKind.PAYMENT)
        .select_related("contract", "corrects")
        .order_by("-booked_on", "-pk")
    )


def public_finance(project: Project, today: date, *, payments_limit: int | None = None) -> PublicFinance:
    """Disclosed quarters from their frozen figures, a running figure for what came after, the
    payment lines (the latest ``payments_limit`` of them if given), and each contract with what it
    allows and what has been paid (four queries)."""
    disclosures = list(QuarterlyDisclosure.objects.filter(project=project).order_by("year", "quarter"))
    quarters = [figures_from_disclosure(disclosure) for disclosure in disclosures]
    lock = quarter_bounds(disclosures[-1].year, disclosures[-1].quarter)[1] if disclosures else None
    since = date.fromordinal(lock.toordinal() + 1) if lock else date(1900, 1, 1)
    row = LedgerEntry.objects.filter(project=project).aggregate(**figure_aggregates("", since, date.max))
    running = None
    if row["entry_count"]:
        year, quarter = quarter_of(today)
        running = figures_from_row(row, year, quarter)
    payments = public_payments(project)
    if payments_limit is not None:
        payments = payments[: payments_limit + 1]  # one more tells whether there are more
    payments = list(payments)
    more_payments = payments_limit is not None and len(payments) > payments_limit
    if more_payments:
        payments = payments[:payments_limit]
    shown = [*quarters, *([running] if running else [])]
    max_bar = max([max(q.income_total, q.payments_total) for q in shown] or [ZERO])
    contracts = contract_positions(Contract.objects.filter(project=project).order_by("signed_on", "pk"))
    return PublicFinance(
        quarters=quarters,
        running=running,
        running_since=since if lock else None,
        payments=payments,
        max_bar=max_bar,
        contracts=list(contracts.values()),
        more_payments=more_payments,
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
    change log. Recording an ordinary entry is not a change and stays out (three queries). The
    public pages read the same rules paged in SQL (``ledger_change_sources``)."""
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
        # A correction is dated the day it was booked, as its own line in the ledger says.
        occurred=lambda record, changes: record.booked_on,
    )
    return sorted([*edits, *(entry for entry in corrections if entry.created)], key=lambda entry: entry.when)


def ledger_change_sources(project: Project) -> list[HistorySource]:
    """The ledger's part of the public change log, paged in the database (changelog.paging):
    edits in place, and each correction once, dated the day it was booked."""
    contracts: dict[int, str] | None = None

    def formatter(model: Any, name: str, value: Any) -> Any:
        nonlocal contracts
        if name == "contract" and value not in (None, ""):
            if contracts is None:  # read once per page, only when a contract changed on it
                contracts = dict(Contract.objects.filter(project=project).values_list("pk", "number"))
            return contracts.get(value, value)
        if value is None or value == "":
            return "—"
        if name == "amount":
            return format_yuan(value)
        field_obj = model._meta.get_field(name)
        return dict(field_obj.flatchoices).get(value, value) if field_obj.choices else value

    history = history_model(LedgerEntry)
    booked_on = history._meta.get_field("booked_on").column
    return [
        HistorySource(
            model=history,
            filters={"project_id": project.pk},
            fields=ENTRY_PUBLIC_FIELDS,
            subject=_subject,
            formatter=formatter,
            created="hide",
        ),
        HistorySource(
            model=history,
            filters={"project_id": project.pk},
            fields=ENTRY_PUBLIC_FIELDS,
            subject=_subject,
            formatter=formatter,
            created="only",
            event_sql=f"h.{booked_on}",
            extra_where="h.corrects_id IS NOT NULL",
        ),
    ]


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
