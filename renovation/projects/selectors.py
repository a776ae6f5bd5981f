"""Reads of projects for the admin and the public pages, at a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.changelog.paging import HistorySource, history_model
from renovation.changelog.selectors import ChangeEntry, history_entries, ordered_history
from renovation.figures import format_percent, format_yuan

# The photos of the works have their own module; the project's public reads are all found here.
from .gallery import project_latest_photo, project_photo_gallery, public_progress_photos  # noqa: F401
from .lateness import Lateness, assess, item_points, project_points
from .models import (
    COMPLETED_STATUSES,
    ZERO,
    ProgressPhoto,
    ProgressReport,
    ProgressReportStatus,
    Project,
    ProjectStatus,
    WorkCategory,
    WorkItem,
    WorkItemStatus,
)
from .progress import weighted_progress

PROJECT_RELATED = ("neighbourhood__community__street",)
_BUDGET_TIMES_PROGRESS = ExpressionWrapper(
    F("budget") * F("progress"), output_field=DecimalField(max_digits=20, decimal_places=4)
)


def project_ids_or_every(ids: list[int] | None) -> list[int]:
    """These project ids, or every project's when ``ids`` is None (a change that names no project:
    places, a plan import, the site), in order."""
    return list(Project.objects.order_by("pk").values_list("pk", flat=True)) if ids is None else ids


def projects_manageable_by(user: Any) -> QuerySet[Project]:
    queryset = Project.objects.select_related(*PROJECT_RELATED)
    if is_bureau(user):
        return queryset
    return queryset.filter(neighbourhood__community__street_id=staff_street_id(user))


def work_items_manageable_by(user: Any) -> QuerySet[WorkItem]:
    queryset = WorkItem.objects.select_related("project__neighbourhood__community__street", "procurement_kind")
    if is_bureau(user):
        return queryset
    return queryset.filter(project__neighbourhood__community__street_id=staff_street_id(user))


def progress_reports_visible_to(user: Any) -> QuerySet[ProgressReport]:
    queryset = ProgressReport.objects.select_related(
        "work_item__project__neighbourhood__community__street", "reported_by", "reviewed_by"
    )
    if is_bureau(user):
        return queryset
    return queryset.filter(work_item__project__neighbourhood__community__street_id=staff_street_id(user))


def progress_photos_visible_to(user: Any) -> QuerySet[ProgressPhoto]:
    """Photos of the reports the user may see (the back office's photo list)."""
    return ProgressPhoto.objects.select_related("report__work_item__project").filter(
        report__in=progress_reports_visible_to(user).values("pk")
    )


def project_filter(
    queryset: QuerySet[Project],
    *,
    street: str | None = None,
    plan_year: int | None = None,
    status: str | None = None,
    category: str | None = None,
    search: str | None = None,
) -> QuerySet[Project]:
    """The public filters of the project index; unknown values simply match nothing."""
    if street:
        queryset = queryset.filter(neighbourhood__community__street__code=street)
    if plan_year:
        queryset = queryset.filter(plan_year=plan_year)
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(pk__in=WorkItem.objects.filter(category=category).values("project_id"))
    if search:
        queryset = queryset.filter(Q(neighbourhood__name__icontains=search) | Q(name__icontains=search))
    return queryset


def plan_years() -> list[int]:
    return list(Project.objects.order_by("-plan_year").values_list("plan_year", flat=True).distinct())


@dataclass(frozen=True)
class PlanSummary:
    year: int | None
    planned: int
    under_construction: int
    completed: int
    progress: Decimal
    budget_total: Decimal


def plan_summary(year: int | None) -> PlanSummary:
    """A plan year in numbers; progress is weighted by work-item budget across the whole plan."""
    projects = Project.objects.filter(plan_year=year)
    counts = projects.aggregate(
        planned=Count("pk"),
        under_construction=Count("pk", filter=Q(status=ProjectStatus.UNDER_CONSTRUCTION)),
        completed=Count("pk", filter=Q(status__in=COMPLETED_STATUSES)),
        budget_total=Coalesce(
            Sum("budget_central")
            + Sum("budget_provincial")
            + Sum("budget_city")
            + Sum("budget_resident")
            + Sum("budget_other"),
            Value(ZERO),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
    )
    items = WorkItem.objects.filter(project__plan_year=year).aggregate(
        weighted=Sum(_BUDGET_TIMES_PROGRESS), budget=Sum("budget"), count=Count("pk")
    )
    progress = ZERO
    if items["budget"]:
        progress = Decimal(items["weighted"]) / Decimal(items["budget"])
    elif counts["planned"]:
        progress = Decimal(projects.aggregate(total=Sum("progress"))["total"] or ZERO) / counts["planned"]
    return PlanSummary(
        year=year,
        planned=counts["planned"],
        under_construction=counts["under_construction"],
        completed=counts["completed"],
        progress=progress.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        budget_total=counts["budget_total"] or ZERO,
    )


def default_plan_year(today: date, years: Sequence[int] | None = None) -> int | None:
    """This year's plan if it has projects, else the latest plan year that does (``years``: the
    plan years already read)."""
    years = plan_years() if years is None else years
    if not years:
        return None
    if today.year in years:
        return today.year
    past = [year for year in years if year <= today.year]
    return past[0] if past else years[-1]


def confirmed_reports_latest_first(project_ids: Any = None, plan_year: int | None = None) -> QuerySet[ProgressReport]:
    """Confirmed progress, latest first by the day it was reached on site (the date shown), not by
    the day the office confirmed it. The partial index ``progress_confirmed_latest`` gives this
    order, so a page of it reads that page's rows instead of sorting every confirmed report."""
    queryset = ProgressReport.objects.filter(status=ProgressReportStatus.CONFIRMED)
    if project_ids is not None:
        queryset = queryset.filter(work_item__project_id__in=project_ids)
    if plan_year is not None:
        queryset = queryset.filter(work_item__project__plan_year=plan_year)
    return queryset.select_related("work_item__project__neighbourhood").order_by("-reported_on", "-reviewed_at", "-pk")


def latest_confirmed_reports(
    limit: int = 8, project_ids: Any = None, plan_year: int | None = None
) -> list[ProgressReport]:
    return list(confirmed_reports_latest_first(project_ids, plan_year)[:limit])


def project_detail(*, slug: str | None = None, pk: int | None = None) -> Project:
    queryset = Project.objects.select_related(*PROJECT_RELATED)
    return queryset.get(slug=slug) if slug is not None else queryset.get(pk=pk)


@dataclass
class CategoryGroup:
    category: str
    label: str
    items: list[WorkItem] = field(default_factory=list)
    budget: Decimal = ZERO
    progress: Decimal = ZERO


def work_items_by_category(project: Project, items: Sequence[WorkItem] | None = None) -> list[CategoryGroup]:
    """The project's work items grouped in the order of the six categories, with group progress.
    ``items``: the project's work items already loaded (a batch of projects reads them in one query)."""
    if items is None:
        items = list(WorkItem.objects.filter(project=project).order_by("category", "sort_order", "pk"))
    else:
        items = sorted(items, key=lambda item: (item.category, item.sort_order, item.pk))
    groups: list[CategoryGroup] = []
    for value, label in WorkCategory.choices:
        members = [item for item in items if item.category == value]
        if not members:
            continue
        groups.append(
            CategoryGroup(
                category=value,
                label=str(label),
                items=members,
                budget=sum((item.budget for item in members), ZERO),
                progress=weighted_progress((item.budget, item.progress) for item in members).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                ),
            )
        )
    return groups


@dataclass(frozen=True)
class TimelineBar:
    start: date
    end: date
    left: float  # percent of the timeline width
    width: float


@dataclass(frozen=True)
class TimelineRow:
    label: str
    planned: TimelineBar | None
    actual: TimelineBar | None
    ongoing: bool


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    today: float | None
    rows: list[TimelineRow]
    ticks: list[tuple[float, str]]


def project_timeline(project: Project, groups: list[CategoryGroup], today: date) -> Timeline | None:
    """Planned against actual dates as bars on one shared time axis (project first, then items)."""
    subjects: list[tuple[str, Any]] = [(str(project.name), project)]
    for group in groups:
        subjects.extend((f"{group.label} · {item.description}", item) for item in group.items)
    dates = [
        value
        for _label, subject in subjects
        for value in (subject.planned_start, subject.planned_end, subject.actual_start, subject.actual_end)
        if value
    ]
    if not dates:
        return None
    start, end = min(dates), max(dates)
    if any(subject.actual_start and not subject.actual_end for _label, subject in subjects):
        end = max(end, today)  # ongoing work runs up to today
    span = max((end - start).days, 1)

    def bar(first: date | None, last: date | None) -> TimelineBar | None:
        if not first:
            return None
        last = last or first
        left = (first - start).days / span * 100
        width = max((last - first).days / span * 100, 0.8)
        return TimelineBar(first, last, round(left, 2), round(min(width, 100 - left), 2))

    rows = []
    for label, subject in subjects:
        ongoing = bool(subject.actual_start and not subject.actual_end)
        actual_end = subject.actual_end or (min(today, end) if ongoing else None)
        rows.append(
            TimelineRow(
                label=label,
                planned=bar(subject.planned_start, subject.planned_end),
                actual=bar(subject.actual_start, actual_end),
                ongoing=ongoing,
            )
        )
    ticks = []
    for year in range(start.year, end.year + 1):
        for month in (1, 4, 7, 10):
            tick = date(year, month, 1)
            if start <= tick <= end:
                ticks.append((round((tick - start).days / span * 100, 2), f"{year}-{month:02d}"))
    today_pos = round((today - start).days / span * 100, 2) if start <= today <= end else None
    return Timeline(start=start, end=end, today=today_pos, rows=rows, ticks=ticks)


# --- Public change log ---------------------------------------------------------------------

PROJECT_PUBLIC_FIELDS = (
    "status",
    "progress",
    "budget_central",
    "budget_provincial",
    "budget_city",
    "budget_resident",
    "budget_other",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "supervising_engineer",
)
WORK_ITEM_PUBLIC_FIELDS = (
    "description",
    "budget",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "progress",
    "status",
)
_MONEY_FIELDS = {
    "budget",
    "budget_central",
    "budget_provincial",
    "budget_city",
    "budget_resident",
    "budget_other",
}


def _format_public_value(model: Any, name: str, value: Any) -> Any:
    if value is None or value == "":
        return "—"
    if name in _MONEY_FIELDS:
        return format_yuan(value)
    if name == "progress":
        return format_percent(value)
    field_obj = model._meta.get_field(name)
    if field_obj.choices:
        return dict(field_obj.flatchoices).get(value, value)
    return value


def _actual_dates_occurred(record: Any, changes: list[Any]) -> date | None:
    """Works that started or finished did so on their actual date, not the day it was typed."""
    changed = {change.field for change in changes}
    for name in ("actual_end", "actual_start"):
        if name in changed and getattr(record, name):
            return getattr(record, name)
    return None


def _confirmed_report_days(project: Project) -> dict[int, list[tuple[Any, date]]]:
    """Work item → (confirmed at, as-of day) of its confirmed reports, oldest first (one query)."""
    days: dict[int, list[tuple[Any, date]]] = {}
    reports = (
        ProgressReport.objects.filter(work_item__project=project, status=ProgressReportStatus.CONFIRMED)
        .order_by("reviewed_at", "pk")
        .values_list("work_item_id", "reviewed_at", "reported_on")
    )
    for item_id, reviewed_at, reported_on in reports:
        days.setdefault(item_id, []).append((reviewed_at, reported_on))
    return days


def project_change_log(project: Project, limit: int | None = 200) -> list[ChangeEntry]:
    """Changes to the project's public fields and its work items, newest first (three queries),
    diffing the whole history in Python. The public pages read the same rules paged in SQL
    (``project_change_sources``); tests/cms/test_project_changes.py holds the two equal.

    Progress moved by a confirmed report is dated by the day the report gives for it (as on the
    home page's updates); a start or completion by its actual date."""
    reports = _confirmed_report_days(project)

    def item_occurred(record: Any, changes: list[Any]) -> date | None:
        if record.history_change_reason == "progress_report_confirm":
            confirmed = [day for at, day in reports.get(record.id, []) if at and at <= record.history_date]
            if confirmed:
                return confirmed[-1]
        return _actual_dates_occurred(record, changes)

    project_entries = history_entries(
        ordered_history(Project.history.filter(id=project.pk)),
        fields=PROJECT_PUBLIC_FIELDS,
        subject=lambda record: str(project.name),
        formatter=_format_public_value,
        show_created=False,
        occurred=_actual_dates_occurred,
    )
    item_entries = history_entries(
        ordered_history(WorkItem.history.filter(project_id=project.pk)),
        fields=WORK_ITEM_PUBLIC_FIELDS,
        subject=lambda record: f"{WorkCategory(record.category).label} · {record.description}",
        formatter=_format_public_value,
        occurred=item_occurred,
    )
    entries = sorted(project_entries + item_entries, key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def project_change_sources(project: Project) -> list[HistorySource]:
    """The project's and its work items' parts of the public change log, paged in the database
    (changelog.paging): the same rules as ``project_change_log``, dated in SQL."""
    reports = ProgressReport._meta.db_table
    # A confirmed report's progress is dated by the day the last report confirmed by then gives.
    report_day = (
        f"CASE WHEN h.history_change_reason = 'progress_report_confirm' THEN (SELECT pr.reported_on FROM {reports} pr"
        " WHERE pr.work_item_id = h.id AND pr.status = %s AND pr.reviewed_at IS NOT NULL"
        " AND pr.reviewed_at <= h.history_date ORDER BY pr.reviewed_at DESC, pr.id DESC LIMIT 1) END"
    )
    return [
        HistorySource(
            model=history_model(Project),
            filters={"id": project.pk},
            fields=PROJECT_PUBLIC_FIELDS,
            subject=lambda record: str(project.name),
            formatter=_format_public_value,
            created="hide",
            events=("actual_end", "actual_start"),
        ),
        HistorySource(
            model=history_model(WorkItem),
            filters={"project_id": project.pk},
            fields=WORK_ITEM_PUBLIC_FIELDS,
            subject=lambda record: f"{WorkCategory(record.category).label} · {record.description}",
            formatter=_format_public_value,
            events=("actual_end", "actual_start"),
            event_sql=report_day,
            event_params=(ProgressReportStatus.CONFIRMED.value,),
        ),
    ]


BUDGET_SOURCE_FIELDS = (
    "budget_central",
    "budget_provincial",
    "budget_city",
    "budget_resident",
    "budget_other",
)


# --- Lateness (周监测、预警) -------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectLateness:
    project: Lateness
    items: dict[int, Lateness]  # by work item id
    item_names: dict[int, str]


def lateness_for_projects(
    projects: Sequence[Project], today: date, work_items: Sequence[WorkItem] | None = None
) -> dict[int, ProjectLateness]:
    """Lateness of each project and its work items, by project id, in two queries whatever the
    number of projects (the projects themselves are passed in, already loaded; one query when
    their work items are too)."""
    by_id = {project.pk: project for project in projects}
    if not by_id:
        return {}
    if work_items is not None:
        items = [
            (
                item.pk,
                item.project_id,
                item.budget,
                item.progress,
                item.status,
                item.planned_start,
                item.planned_end,
                item.actual_start,
                item.description,
            )
            for item in work_items
        ]
    else:
        items = _lateness_rows(by_id)
    reports = list(
        ProgressReport.objects.filter(status=ProgressReportStatus.CONFIRMED, work_item__project_id__in=by_id)
        .order_by("reviewed_at", "pk")
        .values_list("work_item_id", "work_item__project_id", "reported_on", "percent", "reviewed_at")
    )
    items_of: dict[int, list[Any]] = defaultdict(list)
    for row in items:
        items_of[row[1]].append(row)
    reports_of: dict[int, list[Any]] = defaultdict(list)
    reports_of_item: dict[int, list[Any]] = defaultdict(list)
    for row in reports:
        reports_of[row[1]].append(row)
        reports_of_item[row[0]].append(row)
    stall_days = settings.PROGRESS_STALL_DAYS
    result = {}
    for project_id, project in by_id.items():
        own_items = items_of[project_id]
        own_reports = reports_of[project_id]
        under_construction = project.status == ProjectStatus.UNDER_CONSTRUCTION
        item_lateness = {}
        for pk, _project, _budget, progress, status, planned_start, planned_end, actual_start, _name in own_items:
            mine = reports_of_item[pk]
            item_lateness[pk] = assess(
                today=today,
                planned_start=planned_start,
                planned_end=planned_end,
                actual_start=actual_start,
                complete=status == WorkItemStatus.COMPLETED,
                progress=progress,
                under_construction=under_construction,
                points=item_points((day, percent) for _i, _p, day, percent, _r in mine),
                last_confirmed=_last_confirmed(mine),
                stall_days=stall_days,
            )
        result[project_id] = ProjectLateness(
            project=assess(
                today=today,
                planned_start=project.planned_start,
                planned_end=project.planned_end,
                actual_start=project.actual_start,
                complete=project.is_completed,
                progress=project.progress,
                under_construction=under_construction,
                points=project_points(
                    {row[0]: row[2] for row in own_items},
                    ((item_id, day, percent) for item_id, _p, day, percent, _r in own_reports),
                ),
                last_confirmed=_last_confirmed(own_reports),
                stall_days=stall_days,
            ),
            items=item_lateness,
            item_names={row[0]: row[8] for row in own_items},
        )
    return result


def _lateness_rows(by_id: dict[int, Project]) -> list[tuple[Any, ...]]:
    return list(
        WorkItem.objects.filter(project_id__in=by_id).values_list(
            "pk",
            "project_id",
            "budget",
            "progress",
            "status",
            "planned_start",
            "planned_end",
            "actual_start",
            "description",
        )
    )


def _last_confirmed(reports: list[tuple[Any, ...]]) -> date | None:
    """The local day of the latest confirmation (reports come ordered by confirmation time)."""
    reviewed = [row[4] for row in reports if row[4] is not None]
    return timezone.localdate(reviewed[-1]) if reviewed else None


def project_lateness(project: Project, today: date, work_items: Sequence[WorkItem] | None = None) -> ProjectLateness:
    return lateness_for_projects([project], today, work_items)[project.pk]


@dataclass(frozen=True)
class LatenessWarning:
    project: Project
    work_item: str  # empty for the project itself
    kind: str
    days: int


def lateness_warnings(user: Any, today: date) -> list[LatenessWarning]:
    """Every lateness warning on the projects the user manages, most days first; three queries
    (once the user's staff profile is known)."""
    projects = list(projects_manageable_by(user).exclude(status__in=COMPLETED_STATUSES))
    lateness = lateness_for_projects(projects, today)
    warnings = []
    for project in projects:
        found = lateness[project.pk]
        warnings.extend(LatenessWarning(project, "", kind, days) for kind, days in found.project.warnings)
        for item_id, item in found.items.items():
            name = found.item_names[item_id]
            warnings.extend(LatenessWarning(project, name, kind, days) for kind, days in item.warnings)
    return sorted(warnings, key=lambda warning: (-warning.days, warning.project.code, warning.work_item))


# --- The next step (the project page's first screen) -----------------------------------------


@dataclass(frozen=True)
class NextStep:
    label: str
    due: date | None = None  # the planned date of the step, when it has one


def project_next_step(project: Project, work_items: Sequence[WorkItem]) -> NextStep | None:
    """What happens next on a project, in the public's words: the stage after its status, or while
    it is being built the unfinished work item planned to finish first (no query: the work items
    are passed in)."""
    status = project.status
    if status == ProjectStatus.UNDER_CONSTRUCTION:
        unfinished = [item for item in work_items if item.status != WorkItemStatus.COMPLETED]
        if not unfinished:
            return NextStep(_("Acceptance of the finished works"))
        item = min(unfinished, key=lambda item: (item.planned_end or date.max, item.pk))
        return NextStep(item.description, item.planned_end)
    steps = {
        ProjectStatus.PROPOSED: _("Ask the households whether to renovate"),
        ProjectStatus.CONSULTING: _("Enough households agree, then the bureau approves the project"),
        ProjectStatus.APPROVED: _("Tender the works"),
        ProjectStatus.TENDERING: _("Open the bids, award and sign the contract"),
        ProjectStatus.ACCEPTED: _("Aftercare; households rate the renovation"),
        ProjectStatus.AFTERCARE: _("Aftercare; households rate the renovation"),
        ProjectStatus.SUSPENDED: _("Suspended: works resume once the bureau decides"),
    }
    label = steps.get(status)
    if label is None:
        return None
    due = project.planned_start if status in (ProjectStatus.APPROVED, ProjectStatus.TENDERING) else None
    return NextStep(label, due)
