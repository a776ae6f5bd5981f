"""The quarterly finance disclosure (季度财务公开表): per project, the quarter's opening balance,
income by source, payments and closing balance, and a sheet of the quarter's entries.

A quarter that has been disclosed is exported from its frozen figures; one that has not is
computed from the ledger and says so. Two queries whatever the number of projects and entries
(plus the user's staff profile): the projects with their sums, the entries read in chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from renovation.finance.models import EntryKind, IncomeSource, LedgerEntry, QuarterlyDisclosure, quarter_bounds
from renovation.finance.public import public_counterparty
from renovation.finance.selectors import QuarterFigures, figure_aggregates, figures_from_row
from renovation.projects.models import ZERO
from renovation.projects.selectors import projects_manageable_by
from renovation.spreadsheets.writer import Column, Kind, ReportWorkbook, title_line

CHUNK_SIZE = 2000
FROZEN = ("opening_balance", "payments_total", "entry_count", "published_at") + tuple(
    f"income_{source}" for source in IncomeSource.values
)


@dataclass(frozen=True)
class DisclosureFilters:
    year: int
    quarter: int
    street: str | None = None

    @property
    def bounds(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)


@dataclass(frozen=True)
class DisclosureRow:
    code: str
    name: str
    street: str
    neighbourhood: str
    figures: QuarterFigures

    @property
    def disclosed(self) -> bool:
        return self.figures.published_at is not None


def _projects(user: Any, filters: DisclosureFilters) -> QuerySet:
    projects = projects_manageable_by(user)
    if filters.street:
        projects = projects.filter(neighbourhood__community__street__code=filters.street)
    _first, last = filters.bounds
    in_ledger = LedgerEntry.objects.filter(booked_on__lte=last).values("project_id")
    disclosed = QuarterlyDisclosure.objects.filter(year=filters.year, quarter=filters.quarter).values("project_id")
    return projects.filter(Q(pk__in=in_ledger) | Q(pk__in=disclosed))


def disclosure_rows(user: Any, filters: DisclosureFilters) -> list[DisclosureRow]:
    first, last = filters.bounds
    frozen = FilteredRelation(
        "disclosures", condition=Q(disclosures__year=filters.year, disclosures__quarter=filters.quarter)
    )
    rows = (
        _projects(user, filters)
        .annotate(frozen=frozen)
        .values(
            "code",
            "name",
            street_name=F("neighbourhood__community__street__name"),
            neighbourhood_name=F("neighbourhood__name"),
            **{f"frozen_{name}": F(f"frozen__{name}") for name in FROZEN},
        )
        .annotate(**figure_aggregates("ledger_entries", first, last))
        .order_by("neighbourhood__community__street__sort_order", "code")
    )
    result = []
    for row in rows:
        if row["frozen_published_at"] is not None:
            figures = QuarterFigures(
                year=filters.year,
                quarter=filters.quarter,
                opening_balance=row["frozen_opening_balance"],
                income={source: row[f"frozen_income_{source}"] for source in IncomeSource.values},
                payments_total=row["frozen_payments_total"],
                entry_count=row["frozen_entry_count"],
                published_at=row["frozen_published_at"],
            )
        else:
            figures = figures_from_row(row, filters.year, filters.quarter)
        result.append(DisclosureRow(row["code"], row["name"], row["street_name"], row["neighbourhood_name"], figures))
    return result


def disclosure_entries(user: Any, filters: DisclosureFilters) -> Iterator[dict[str, Any]]:
    first, last = filters.bounds
    entries = LedgerEntry.objects.filter(project__in=_projects(user, filters), booked_on__range=(first, last))
    return (
        entries.values(
            "kind",
            "source",
            "amount",
            "booked_on",
            "counterparty",
            "purpose",
            "invoice_number",
            "bank_reference",
            "note",
            project_code=F("project__code"),
            contract_number=F("contract__number"),
            corrects_date=F("corrects__booked_on"),
            corrects_reference=F("corrects__bank_reference"),
        )
        .order_by("project__code", "booked_on", "pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )


# --- the workbook ---------------------------------------------------------------------------------


def _summary_columns() -> list[Column]:
    return [
        Column(_("Project code"), Kind.TEXT, 14),
        Column(_("Project"), Kind.TEXT, 26),
        Column(_("Street"), Kind.TEXT, 12),
        Column(_("Neighbourhood"), Kind.TEXT, 16),
        Column(_("Disclosed"), Kind.TEXT, 16),
        Column(_("Opening balance (yuan)"), Kind.MONEY, 17),
        *(Column(str(label), Kind.MONEY, 16) for _value, label in IncomeSource.choices),
        Column(_("Income (yuan)"), Kind.MONEY, 17),
        Column(_("Payments (yuan)"), Kind.MONEY, 17),
        Column(_("Closing balance (yuan)"), Kind.MONEY, 17),
        Column(_("Entries"), Kind.INTEGER, 8),
    ]


def _summary_values(row: DisclosureRow) -> list[Any]:
    figures = row.figures
    when = figures.published_at.date().isoformat() if figures.published_at else _("not yet disclosed")
    return [
        row.code,
        row.name,
        row.street,
        row.neighbourhood,
        when,
        figures.opening_balance,
        *(figures.income.get(source, ZERO) for source in IncomeSource.values),
        figures.income_total,
        figures.payments_total,
        figures.closing_balance,
        figures.entry_count,
    ]


def _total_values(rows: list[DisclosureRow]) -> list[Any]:
    def total(pick: Any) -> Decimal:
        return sum((pick(row.figures) for row in rows), ZERO)

    return [
        _("Total"),
        None,
        None,
        None,
        None,
        total(lambda f: f.opening_balance),
        *(total(lambda f, s=source: f.income.get(s, ZERO)) for source in IncomeSource.values),
        total(lambda f: f.income_total),
        total(lambda f: f.payments_total),
        total(lambda f: f.closing_balance),
        sum(row.figures.entry_count for row in rows),
    ]


def _entry_columns() -> list[Column]:
    return [
        Column(_("Project code"), Kind.TEXT, 14),
        Column(_("Date"), Kind.DATE, 12),
        Column(_("Kind"), Kind.TEXT, 8),
        Column(_("Source of funds"), Kind.TEXT, 12),
        Column(_("Counterparty"), Kind.TEXT, 24),
        Column(_("Purpose"), Kind.TEXT, 26),
        Column(_("Contract number"), Kind.TEXT, 14),
        Column(_("Invoice number"), Kind.TEXT, 16),
        Column(_("Bank reference"), Kind.TEXT, 18),
        Column(_("Income (yuan)"), Kind.MONEY, 16),
        Column(_("Payment (yuan)"), Kind.MONEY, 16),
        Column(_("Correction of"), Kind.TEXT, 24),
    ]


def _entry_values(row: dict[str, Any], kinds: dict[str, str], sources: dict[str, str]) -> list[Any]:
    income = row["kind"] == EntryKind.INCOME
    corrects = ""
    if row["corrects_date"]:
        corrects = f"{row['corrects_date']:%Y-%m-%d} {row['corrects_reference']}".strip()
        if row["note"]:
            corrects = f"{corrects} · {row['note']}"
    return [
        row["project_code"],
        row["booked_on"],
        kinds.get(row["kind"], row["kind"]),
        sources.get(row["source"], ""),
        public_counterparty(row["kind"], row["source"], row["counterparty"]),
        row["purpose"],
        row["contract_number"],
        row["invoice_number"],
        row["bank_reference"],
        row["amount"] if income else None,
        None if income else row["amount"],
        corrects,
    ]


def write_disclosure(
    target: IO[bytes], rows: list[DisclosureRow], entries: Iterable[dict[str, Any]], *, filters: str, label: str
) -> None:
    book = ReportWorkbook()
    name = _("Quarterly finance disclosure %(quarter)s") % {"quarter": label}
    summary = book.add_sheet(
        pgettext("sheet name", "Summary"), _summary_columns(), title=title_line(name, filters), frozen_columns=2
    )
    summary.extend(_summary_values(row) for row in rows)
    summary.append(_total_values(rows))
    sheet = book.add_sheet(_("Entries"), _entry_columns(), title=title_line(f"{name} · {_('Entries')}", filters))
    kinds = {value: str(text) for value, text in EntryKind.choices}
    sources = {value: str(text) for value, text in IncomeSource.choices}
    sheet.extend(_entry_values(row, kinds, sources) for row in entries)
    book.save(target)
