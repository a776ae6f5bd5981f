"""How each export is laid out: its columns, and the rows it writes from the export's data.

Headers reuse the models' field names where there is one (already translated), so the ledger says
what the admin says; everything follows the language active at export time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import IO, Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from renovation.places.models import ManagementType, Neighbourhood
from renovation.projects.models import Project, ProjectStatus
from renovation.supervision.models import IssueCategory, IssueSeverity, IssueStatus, SiteIssue

from .exports import MonthlyProjectRow, MonthlyReport, MonthlyTotals
from .workbook import Column, Kind, ReportWorkbook, title_line

# key in the export's rows, header (lazy: translated when the sheet is made), kind, width
Field = tuple[str, Any, Kind, float]


def _field(model: Any, name: str) -> Any:
    """The model field's own (lazy, translated) name as a header."""
    return capfirst(model._meta.get_field(name).verbose_name)


def _columns(fields: Iterable[Field]) -> list[Column]:
    return [Column(str(header), kind, width) for _key, header, kind, width in fields]


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


# --- project ledger ----------------------------------------------------------------------------

LEDGER_FIELDS: tuple[Field, ...] = (
    ("code", _field(Project, "code"), Kind.TEXT, 14),
    ("name", _field(Project, "name"), Kind.TEXT, 28),
    ("street", gettext_lazy("Street"), Kind.TEXT, 12),
    ("community", _field(Neighbourhood, "community"), Kind.TEXT, 12),
    ("neighbourhood_name", _field(Project, "neighbourhood"), Kind.TEXT, 18),
    ("built_year", _field(Neighbourhood, "built_year"), Kind.INTEGER, 9),
    ("building_count", _field(Neighbourhood, "building_count"), Kind.INTEGER, 8),
    ("household_count", _field(Neighbourhood, "household_count"), Kind.INTEGER, 8),
    ("floor_area", _field(Neighbourhood, "floor_area"), Kind.NUMBER, 14),
    ("management_type", _field(Neighbourhood, "management_type"), Kind.TEXT, 14),
    ("plan_year", _field(Project, "plan_year"), Kind.INTEGER, 9),
    ("status", _field(Project, "status"), Kind.TEXT, 12),
    ("budget_central", _field(Project, "budget_central"), Kind.MONEY, 17),
    ("budget_provincial", _field(Project, "budget_provincial"), Kind.MONEY, 17),
    ("budget_city", _field(Project, "budget_city"), Kind.MONEY, 17),
    ("budget_resident", _field(Project, "budget_resident"), Kind.MONEY, 17),
    ("budget_other", _field(Project, "budget_other"), Kind.MONEY, 17),
    ("budget_total", gettext_lazy("Total budget (yuan)"), Kind.MONEY, 18),
    ("contract_amount", gettext_lazy("Contract amount incl. approved changes (yuan)"), Kind.MONEY, 18),
    ("paid", gettext_lazy("Paid (yuan)"), Kind.MONEY, 17),
    ("progress", _field(Project, "progress"), Kind.PERCENT, 10),
    ("planned_start", _field(Project, "planned_start"), Kind.DATE, 12),
    ("planned_end", _field(Project, "planned_end"), Kind.DATE, 12),
    ("actual_start", _field(Project, "actual_start"), Kind.DATE, 12),
    ("actual_end", _field(Project, "actual_end"), Kind.DATE, 12),
    ("construction_unit", gettext_lazy("Construction unit"), Kind.TEXT, 24),
    ("supervising_engineer", _field(Project, "supervising_engineer"), Kind.TEXT, 20),
    ("issues_reported", gettext_lazy("Site issues reported"), Kind.INTEGER, 10),
    ("issues_open", gettext_lazy("Site issues open"), Kind.INTEGER, 10),
    ("issues_overdue", gettext_lazy("Site issues overdue"), Kind.INTEGER, 10),
)
LEDGER_KEYS = tuple(key for key, *_rest in LEDGER_FIELDS)


def ledger_columns() -> list[Column]:
    return _columns(LEDGER_FIELDS)


def write_project_ledger(target: IO[bytes], rows: Iterable[dict[str, Any]], *, filters: str) -> int:
    """The ledger (台账), one row per project; returns the number of rows written."""
    book = ReportWorkbook()
    report = _("Project ledger")
    sheet = book.add_sheet(report, ledger_columns(), title=title_line(report, filters), frozen_columns=2)
    statuses, management = _labels(ProjectStatus), _labels(ManagementType)
    status_at, management_at = LEDGER_KEYS.index("status"), LEDGER_KEYS.index("management_type")
    for row in rows:
        values = [row[key] for key in LEDGER_KEYS]
        values[status_at] = statuses.get(values[status_at], values[status_at])
        values[management_at] = management.get(values[management_at], values[management_at])
        sheet.append(values)
    book.save(target)
    return sheet.rows_written


# --- monthly progress report -------------------------------------------------------------------


def _monthly_project_columns() -> list[Column]:
    return [
        Column(str(_field(Project, "code")), Kind.TEXT, 14),
        Column(str(_field(Project, "name")), Kind.TEXT, 28),
        Column(str(_field(Neighbourhood, "community")), Kind.TEXT, 12),
        Column(str(_field(Project, "plan_year")), Kind.INTEGER, 9),
        Column(str(_field(Project, "status")), Kind.TEXT, 12),
        Column(_("Budget (10k yuan)"), Kind.WAN_YUAN, 14),
        Column(_("Progress at start of month"), Kind.PERCENT, 11),
        Column(_("Progress at end of month"), Kind.PERCENT, 11),
        Column(_("Change this month"), Kind.PERCENT, 11),
        Column(str(_field(Project, "planned_start")), Kind.DATE, 12),
        Column(str(_field(Project, "planned_end")), Kind.DATE, 12),
        Column(str(_field(Project, "actual_start")), Kind.DATE, 12),
        Column(str(_field(Project, "actual_end")), Kind.DATE, 12),
        Column(_("Overdue site issues (now)"), Kind.INTEGER, 12),
    ]


def _monthly_project_values(row: MonthlyProjectRow, statuses: dict[str, str]) -> list[Any]:
    return [
        row.code,
        row.name,
        row.community,
        row.plan_year,
        statuses.get(row.status, row.status),
        row.budget_total,
        row.progress_start,
        row.progress_end,
        row.change,
        row.planned_start,
        row.planned_end,
        row.actual_start,
        row.actual_end,
        row.overdue_issues,
    ]


def _summary_columns() -> list[Column]:
    return [
        Column(_("Street"), Kind.TEXT, 14),
        Column(_("Projects planned this year"), Kind.INTEGER, 12),
        Column(_("Started"), Kind.INTEGER, 10),
        Column(_("Completed"), Kind.INTEGER, 10),
        Column(_("Budget (10k yuan)"), Kind.WAN_YUAN, 16),
        Column(_("Progress at start of month"), Kind.PERCENT, 12),
        Column(_("Progress at end of month"), Kind.PERCENT, 12),
        Column(_("Change this month"), Kind.PERCENT, 12),
        Column(_("Overdue site issues (now)"), Kind.INTEGER, 12),
    ]


def _summary_values(name: str, totals: MonthlyTotals) -> list[Any]:
    return [
        name,
        totals.planned,
        totals.started,
        totals.completed,
        totals.budget_total,
        totals.progress_start,
        totals.progress_end,
        totals.change,
        totals.overdue_issues,
    ]


def write_monthly_report(target: IO[bytes], report: MonthlyReport) -> None:
    """A summary sheet (one row per street and a total), then one sheet per street."""
    book = ReportWorkbook()
    name = _("Monthly progress report %(month)s") % {"month": report.label}
    filters = _("plan year %(year)s, and every project under construction") % {"year": report.year}
    summary = book.add_sheet(pgettext("sheet name", "Summary"), _summary_columns(), title=title_line(name, filters))
    for street in report.streets:
        summary.append(_summary_values(street.name, street.totals))
    summary.append(_summary_values(_("Total"), report.totals))
    statuses = _labels(ProjectStatus)
    for street in report.streets:
        sheet = book.add_sheet(
            street.name,
            _monthly_project_columns(),
            title=title_line(f"{name} · {street.name}", filters),
            frozen_columns=2,
        )
        sheet.extend(_monthly_project_values(row, statuses) for row in street.projects)
    book.save(target)


# --- site-issue register -----------------------------------------------------------------------

ISSUE_FIELDS: tuple[Field, ...] = (
    ("pk", gettext_lazy("No."), Kind.INTEGER, 8),
    ("project_code", _field(Project, "code"), Kind.TEXT, 14),
    ("project_name", _field(SiteIssue, "project"), Kind.TEXT, 26),
    ("street", gettext_lazy("Street"), Kind.TEXT, 12),
    ("category", _field(SiteIssue, "category"), Kind.TEXT, 12),
    ("severity", _field(SiteIssue, "severity"), Kind.TEXT, 10),
    ("status", _field(SiteIssue, "status"), Kind.TEXT, 16),
    ("location", _field(SiteIssue, "location"), Kind.TEXT, 16),
    ("created_at", _field(SiteIssue, "created_at"), Kind.DATETIME, 17),
    ("accepted_at", _field(SiteIssue, "accepted_at"), Kind.DATETIME, 17),
    ("rectified_at", _field(SiteIssue, "rectified_at"), Kind.DATETIME, 17),
    ("confirmed_at", _field(SiteIssue, "confirmed_at"), Kind.DATETIME, 17),
    ("deadline", _field(SiteIssue, "deadline"), Kind.DATETIME, 17),
    ("overdue", gettext_lazy("Overdue"), Kind.TEXT, 8),
    ("hours_to_accept", gettext_lazy("Hours to accept"), Kind.ONE_DECIMAL, 10),
    ("days_to_rectify", gettext_lazy("Days to rectify"), Kind.ONE_DECIMAL, 10),
)
ISSUE_KEYS = tuple(key for key, *_rest in ISSUE_FIELDS)


def write_site_issue_register(target: IO[bytes], rows: Iterable[dict[str, Any]], *, filters: str) -> int:
    book = ReportWorkbook()
    report = _("Site-issue register")
    sheet = book.add_sheet(report, _columns(ISSUE_FIELDS), title=title_line(report, filters), frozen_columns=1)
    labels = {
        "category": _labels(IssueCategory),
        "severity": _labels(IssueSeverity),
        "status": _labels(IssueStatus),
    }
    yes, no = _("Yes"), _("No")
    for row in rows:
        for key, names in labels.items():
            row[key] = names.get(row[key], row[key])
        row["overdue"] = yes if row["overdue"] else no
        sheet.append([row[key] for key in ISSUE_KEYS])
    book.save(target)
    return sheet.rows_written


def file_name(report: str, day: date, extension: str = "xlsx") -> str:
    return f"{report}-{day:%Y-%m-%d}.{extension}"
