"""What the exports contain: selectors that read, scope by user and never write.

Each export is a fixed number of queries whatever the number of rows: counts and history come in
as subqueries, and long results are read in chunks (``.iterator(chunk_size=...)``) so a 100,000-row
ledger never sits in memory.

Not here yet, because the data does not exist: the tender opening record and evaluation table
(tendering). The quarterly finance disclosure lives in ``disclosure.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.finance.models import EntryKind, LedgerEntry
from renovation.places.models import Street
from renovation.projects.models import COMPLETED_STATUSES, ZERO, Project, ProjectStatus
from renovation.projects.selectors import project_filter, projects_manageable_by
from renovation.spreadsheets.writer import report_zone
from renovation.supervision.models import AWAITING_FIX_STATUSES, OPEN_STATUSES, SiteIssue
from renovation.supervision.selectors import issues_visible_to
from renovation.tendering.models import ChangeOrder, ChangeOrderStatus, Contract
from renovation.tendering.selectors import contractor_names, contractors_by_project

CHUNK_SIZE = 2000
_MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class ProjectFilters:
    """The filters of the public project index (see ``project_filter``)."""

    street: str | None = None
    plan_year: int | None = None
    status: str | None = None
    category: str | None = None
    search: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IssueFilters:
    street: str | None = None
    status: str | None = None
    category: str | None = None
    reported_from: date | None = None
    reported_to: date | None = None


def _budget_total() -> Any:
    return F("budget_central") + F("budget_provincial") + F("budget_city") + F("budget_resident") + F("budget_other")


def _issue_count(condition: Q) -> Coalesce:
    counted = (
        SiteIssue.objects.filter(condition, project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _project_sum(queryset: QuerySet, field_name: str, project_path: str = "project") -> Coalesce:
    """Sum of ``field_name`` over the rows of ``queryset`` that belong to the outer project."""
    summed = (
        queryset.filter(**{project_path: OuterRef("pk")})
        .order_by()
        .values(project_path)
        .annotate(total=Sum(field_name))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def _contract_amount() -> Any:
    """The project's contracts with their approved change orders: what may be paid in all."""
    approved = ChangeOrder.objects.filter(status=ChangeOrderStatus.APPROVED)
    return _project_sum(Contract.objects.all(), "amount") + _project_sum(approved, "amount_change", "contract__project")


def _paid() -> Coalesce:
    return _project_sum(LedgerEntry.objects.filter(kind=EntryKind.PAYMENT), "amount")


def _overdue(now: datetime) -> Q:
    return Q(status__in=AWAITING_FIX_STATUSES, deadline__lt=now)


# --- project ledger (台账) ---------------------------------------------------------------------

LEDGER_PROJECT_FIELDS = (
    "code",
    "name",
    "plan_year",
    "status",
    "budget_central",
    "budget_provincial",
    "budget_city",
    "budget_resident",
    "budget_other",
    "progress",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "supervising_engineer",
)
LEDGER_PLACE_FIELDS = {
    "street": "neighbourhood__community__street__name",
    "community": "neighbourhood__community__name",
    "neighbourhood_name": "neighbourhood__name",
    "built_year": "neighbourhood__built_year",
    "building_count": "neighbourhood__building_count",
    "household_count": "neighbourhood__household_count",
    "floor_area": "neighbourhood__floor_area",
    "management_type": "neighbourhood__management_type",
}


ISSUE_COUNTS = ("issues_reported", "issues_open", "issues_overdue")
# The ledger's order (project codes are unique, so it is total).
LEDGER_ORDER = ("-plan_year", "neighbourhood__community__street__sort_order", "code")


def _ledger_values(projects: QuerySet, *, with_issues: bool) -> QuerySet:
    """One dict per project with the ledger's figures; the site-issue counts (every reported
    issue, accepted or not) are for staff only."""
    now = timezone.now()
    issues = (
        {
            "issues_reported": _issue_count(Q()),
            "issues_open": _issue_count(Q(status__in=OPEN_STATUSES)),
            "issues_overdue": _issue_count(_overdue(now)),
        }
        if with_issues
        else {}
    )
    return (
        projects.annotate(budget_total=_budget_total(), contract_amount=_contract_amount(), paid=_paid(), **issues)
        .values(
            "pk",
            *LEDGER_PROJECT_FIELDS,
            "budget_total",
            "contract_amount",
            "paid",
            *issues,
            **{name: F(path) for name, path in LEDGER_PLACE_FIELDS.items()},
        )
        .order_by(*LEDGER_ORDER)
    )


def project_ledger_queryset(user: Any, filters: ProjectFilters) -> QuerySet:
    """Every project the user may manage, filtered as on the index page, one dict per project."""
    return _ledger_values(project_filter(projects_manageable_by(user), **filters.as_kwargs()), with_issues=True)


def public_project_rows(projects: QuerySet | None = None) -> Iterator[dict[str, Any]]:
    """Every project (or these) for the public bulk download (/open-data/): the ledger's own
    figures from the same queries, less the staff-only site-issue counts."""
    projects = Project.objects.all() if projects is None else projects
    return _rows_with_contractors(_ledger_values(projects, with_issues=False))


def project_ledger_rows(user: Any, filters: ProjectFilters) -> Iterator[dict[str, Any]]:
    """The rows, each with its construction units (the companies holding its contracts): one
    more query per chunk of rows, never per row."""
    return _rows_with_contractors(project_ledger_queryset(user, filters))


def _rows_with_contractors(queryset: QuerySet) -> Iterator[dict[str, Any]]:
    chunk: list[dict[str, Any]] = []
    for row in queryset.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(row)
        if len(chunk) == CHUNK_SIZE:
            yield from _with_contractors(chunk)
            chunk = []
    if chunk:
        yield from _with_contractors(chunk)


def _with_contractors(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    contractors = contractors_by_project([row["pk"] for row in rows])
    for row in rows:
        row["construction_unit"] = contractor_names(contractors.get(row["pk"], []))
    return rows


# --- monthly progress report (月报) ------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyProjectRow:
    code: str
    name: str
    community: str
    neighbourhood: str
    plan_year: int
    status: str
    budget_total: Decimal
    progress_start: Decimal | None  # at the start of the month; None if the project did not exist yet
    progress_end: Decimal | None  # at the end of the month (now, for the current month)
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    overdue_issues: int

    @property
    def change(self) -> Decimal | None:
        if self.progress_end is None:
            return None
        return self.progress_end - (self.progress_start or ZERO)


@dataclass(frozen=True)
class MonthlyTotals:
    planned: int
    started: int
    completed: int
    budget_total: Decimal
    progress_start: Decimal | None
    progress_end: Decimal | None
    overdue_issues: int

    @property
    def change(self) -> Decimal | None:
        if self.progress_end is None:
            return None
        return self.progress_end - (self.progress_start or ZERO)


@dataclass
class StreetMonth:
    name: str
    code: str
    projects: list[MonthlyProjectRow] = field(default_factory=list)
    totals: MonthlyTotals | None = None


@dataclass(frozen=True)
class MonthlyReport:
    year: int
    month: int
    streets: list[StreetMonth]
    totals: MonthlyTotals

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as [start, end) in Beijing time."""
    zone = report_zone()
    start = datetime(year, month, 1, tzinfo=zone)
    following = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, following


def _progress_before(moment: datetime) -> Subquery:
    """The project's progress as recorded by its latest history row before ``moment``."""
    history = (
        Project.history.filter(id=OuterRef("pk"), history_date__lt=moment)
        .order_by("-history_date", "-history_id")
        .values("progress")[:1]
    )
    return Subquery(history, output_field=DecimalField(max_digits=5, decimal_places=2))


def _weighted(pairs: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Budget-weighted mean progress; a plain mean when nothing is costed yet."""
    if not pairs:
        return None
    budget = sum((weight for weight, _value in pairs), ZERO)
    if budget > 0:
        return sum((weight * (value or ZERO) for weight, value in pairs), ZERO) / budget
    return sum((value or ZERO for _weight, value in pairs), ZERO) / len(pairs)


def monthly_totals(rows: list[MonthlyProjectRow], *, year: int, month_end: date) -> MonthlyTotals:
    return MonthlyTotals(
        planned=sum(1 for row in rows if row.plan_year == year),
        started=sum(1 for row in rows if row.actual_start and row.actual_start <= month_end),
        completed=sum(1 for row in rows if row.status in COMPLETED_STATUSES),
        budget_total=sum((row.budget_total for row in rows), ZERO),
        progress_start=_weighted([(row.budget_total, row.progress_start) for row in rows]),
        progress_end=_weighted([(row.budget_total, row.progress_end) for row in rows]),
        overdue_issues=sum(row.overdue_issues for row in rows),
    )


def _streets_in_scope(user: Any) -> QuerySet[Street]:
    streets = Street.objects.order_by("sort_order", "name")
    return streets if is_bureau(user) else streets.filter(pk=staff_street_id(user))


def _month_projects(user: Any, year: int, start: datetime, following: datetime) -> QuerySet:
    """The plan year's projects and every project under construction, with their progress as
    recorded at the start and the end of the month."""
    return (
        projects_manageable_by(user)
        .filter(Q(plan_year=year) | Q(status=ProjectStatus.UNDER_CONSTRUCTION))
        .annotate(
            budget_total=Coalesce(_budget_total(), Value(ZERO), output_field=_MONEY),
            progress_start=_progress_before(start),
            progress_end=_progress_before(following),
            overdue_issues=_issue_count(_overdue(timezone.now())),
        )
        .values(
            "code",
            "name",
            "plan_year",
            "status",
            "budget_total",
            "progress_start",
            "progress_end",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "overdue_issues",
            street_id=F("neighbourhood__community__street_id"),
            community=F("neighbourhood__community__name"),
            neighbourhood_name=F("neighbourhood__name"),
        )
        .order_by("neighbourhood__community__street__sort_order", "-plan_year", "code")
    )


def monthly_report(year: int, month: int, user: Any) -> MonthlyReport:
    """The month's report by street: projects of the plan year or under construction, their
    progress at the start and end of the month (from the history), and overdue site issues now.

    Three queries: the user's staff profile, the streets, the projects with their history.
    """
    start, following = month_bounds(year, month)
    month_end = (following - timedelta(days=1)).date()
    streets = {street.pk: StreetMonth(name=street.name, code=street.code) for street in _streets_in_scope(user)}
    for row in _month_projects(user, year, start, following):
        street = streets.get(row.pop("street_id"))
        if street is None:
            continue
        street.projects.append(MonthlyProjectRow(neighbourhood=row.pop("neighbourhood_name"), **row))
    every = []
    for street in streets.values():
        street.totals = monthly_totals(street.projects, year=year, month_end=month_end)
        every.extend(street.projects)
    return MonthlyReport(
        year=year,
        month=month,
        streets=list(streets.values()),
        totals=monthly_totals(every, year=year, month_end=month_end),
    )


# --- site-issue register (监督反馈台账) ---------------------------------------------------------

ISSUE_FIELDS = (
    "pk",
    "category",
    "severity",
    "status",
    "location",
    "created_at",
    "accepted_at",
    "rectified_at",
    "confirmed_at",
    "deadline",
)


def site_issue_register_queryset(user: Any, filters: IssueFilters) -> QuerySet:
    issues = issues_visible_to(user)
    if filters.street:
        issues = issues.filter(project__neighbourhood__community__street__code=filters.street)
    if filters.status:
        issues = issues.filter(status=filters.status)
    if filters.category:
        issues = issues.filter(category=filters.category)
    zone = report_zone()
    if filters.reported_from:
        issues = issues.filter(created_at__gte=datetime.combine(filters.reported_from, datetime.min.time(), zone))
    if filters.reported_to:
        day_after = filters.reported_to + timedelta(days=1)
        issues = issues.filter(created_at__lt=datetime.combine(day_after, datetime.min.time(), zone))
    return issues.values(
        *ISSUE_FIELDS,
        project_code=F("project__code"),
        project_name=F("project__name"),
        street=F("project__neighbourhood__community__street__name"),
    ).order_by("-created_at", "-pk")


def _rounded(delta: timedelta, unit: timedelta) -> float:
    return round(delta / unit, 1)


def site_issue_register_rows(user: Any, filters: IssueFilters) -> Iterator[dict[str, Any]]:
    """Each issue with its response times: hours from report to acceptance, days from acceptance
    to the construction unit's report of the fix (as in ``response_figures``)."""
    now = timezone.now()
    for row in site_issue_register_queryset(user, filters).iterator(chunk_size=CHUNK_SIZE):
        created, accepted, rectified = row["created_at"], row["accepted_at"], row["rectified_at"]
        row["overdue"] = bool(row["deadline"] and row["status"] in AWAITING_FIX_STATUSES and row["deadline"] < now)
        row["hours_to_accept"] = _rounded(accepted - created, timedelta(hours=1)) if accepted else None
        row["days_to_rectify"] = _rounded(rectified - accepted, timedelta(days=1)) if accepted and rectified else None
        yield row
