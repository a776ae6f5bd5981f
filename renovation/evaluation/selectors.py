"""Reads for the street league table and the monthly evaluations, at a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Greatest, RowNumber
from django.utils import timezone

from renovation.consultation.models import SatisfactionRating
from renovation.projects.models import COMPLETED_STATUSES, Project
from renovation.public.prepared import PreparedRows
from renovation.supervision.models import SiteIssue

from .league import Middle, ProjectTotals, StreetFigures, street_figures
from .models import MonthlyEvaluation


@dataclass(frozen=True)
class StreetName:
    pk: int
    name: str


@dataclass(frozen=True)
class LeagueRow:
    street: StreetName
    figures: StreetFigures


def day_end(day: date) -> datetime:
    """The first instant after ``day`` in Beijing time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# The page's queries, compiled once per process (renovation/public/prepared.py): building them from
# their querysets cost the page more than the database took to answer them. Each gives one row per
# street (the medians: the middle one or two per street), whatever the plan year holds. The four
# sums are prepared on the server (``on_server``): planning their joins took PostgreSQL longer than
# running them (half the table's time at the demo's size).
_PLAN_YEAR = Project._meta.get_field("plan_year")
_DAY = Project._meta.get_field("planned_end")
_STREET = "neighbourhood__community__street"


def _done(as_of: date) -> Q:
    """Completed by the day: accepted (or in aftercare) with an actual completion on or before it."""
    return Q(status__in=COMPLETED_STATUSES, actual_end__isnull=False, actual_end__lte=as_of)


def _projects(plan_year: int, as_of: date) -> QuerySet:
    done = _done(as_of)
    dated = done & Q(planned_end__isnull=False)
    # Not completed by the day, and due before it: late by the day (the planned day is on time).
    overdue = Q(planned_end__lt=as_of) & (
        ~Q(status__in=COMPLETED_STATUSES) | Q(actual_end__isnull=True) | Q(actual_end__gt=as_of)
    )
    late = Greatest(F("actual_end") - F("planned_end"), Value(timedelta(0)))
    return (
        Project.objects.filter(plan_year=plan_year)
        .values(f"{_STREET}_id", f"{_STREET}__name")
        .annotate(
            planned=Count("pk"),
            started=Count("pk", filter=Q(actual_start__lte=as_of)),
            completed=Count("pk", filter=done),
            dated=Count("pk", filter=dated),
            on_time=Count("pk", filter=dated & Q(actual_end__lte=F("planned_end"))),
            overdue=Count("pk", filter=overdue),
            late_done=Sum(late, filter=dated, output_field=DurationField()),
            late_open=Sum(Value(as_of, output_field=DateField()) - F("planned_end"), filter=overdue),
        )
        .order_by(f"{_STREET}__name")
        .values_list(
            f"{_STREET}_id",
            f"{_STREET}__name",
            "planned",
            "started",
            "completed",
            "dated",
            "on_time",
            "overdue",
            "late_done",
            "late_open",
        )
    )


_PROJECTS = PreparedRows.on_server(_projects, plan_year=_PLAN_YEAR, as_of=_DAY)


def _middles(plan_year: int, end: datetime, *, start: str, finish: str) -> QuerySet:
    """The middle one or two of each street's durations from ``start`` to ``finish``, over the
    site issues reported before ``end`` whose ``finish`` (and ``start``) came before it."""
    durations = (
        SiteIssue.objects.filter(project__plan_year=plan_year, created_at__lt=end)
        .filter(**{f"{start}__isnull": False, f"{finish}__isnull": False, f"{finish}__lt": end})
        .annotate(
            street=F(f"project__{_STREET}_id"),
            duration=ExpressionWrapper(F(finish) - F(start), output_field=DurationField()),
        )
        .annotate(
            position=Window(RowNumber(), partition_by=[F("street")], order_by=[F("duration").asc()]),
            size=Window(Count("pk"), partition_by=[F("street")]),
        )
    )
    middle = Q(position=(F("size") + 1) / 2) | Q(position=(F("size") + 2) / 2)
    return durations.filter(middle).order_by().values_list("street", "duration")


_END = SiteIssue._meta.get_field("created_at")
_TO_ACCEPT = PreparedRows.on_server(
    lambda plan_year, end: _middles(plan_year, end, start="created_at", finish="accepted_at"),
    plan_year=_PLAN_YEAR,
    end=_END,
)
_TO_RECTIFY = PreparedRows.on_server(
    lambda plan_year, end: _middles(plan_year, end, start="accepted_at", finish="rectified_at"),
    plan_year=_PLAN_YEAR,
    end=_END,
)
_RATINGS = PreparedRows.on_server(
    lambda plan_year, as_of: (
        SatisfactionRating.objects.filter(project__plan_year=plan_year, rated_on__lte=as_of)
        .values(f"project__{_STREET}_id")
        .annotate(total=Sum("overall"), count=Count("pk"))
        .order_by()
        .values_list(f"project__{_STREET}_id", "total", "count")
    ),
    plan_year=_PLAN_YEAR,
    as_of=SatisfactionRating._meta.get_field("rated_on"),
)


_PLAN_YEARS = PreparedRows(lambda: Project.objects.order_by("-plan_year").values_list("plan_year").distinct())


def plan_years() -> list[int]:
    """Every plan year, latest first (``projects.selectors.plan_years``, compiled once)."""
    return [year for (year,) in _PLAN_YEARS.rows()]


def _middle_of(rows: list[tuple[int, timedelta]]) -> dict[int, Middle]:
    found: dict[int, list[float]] = {}
    for street, duration in rows:
        found.setdefault(street, []).append(duration.total_seconds())
    return {street: Middle(min(seconds), max(seconds)) for street, seconds in found.items()}


def street_league(plan_year: int | None, as_of: date) -> list[LeagueRow]:
    """Every street with projects in the plan year, as of the end of ``as_of``, by name; four
    queries, each answered by the database in a row per street."""
    if plan_year is None:
        return []
    end = day_end(as_of)
    to_accept = _middle_of(_TO_ACCEPT.rows(plan_year=plan_year, end=end))
    to_rectify = _middle_of(_TO_RECTIFY.rows(plan_year=plan_year, end=end))
    ratings = {street: (total, count) for street, total, count in _RATINGS.rows(plan_year=plan_year, as_of=as_of)}
    rows = []
    for street, name, planned, started, completed, dated, on_time, overdue, late_done, late_open in _PROJECTS.rows(
        plan_year=plan_year, as_of=as_of
    ):
        days_late = sum((late.days for late in (late_done, late_open) if late is not None), 0)
        totals = ProjectTotals(planned, started, completed, dated, on_time, dated + overdue, days_late)
        rating_total, rating_count = ratings.get(street, (0, 0))
        figures = street_figures(
            street,
            totals,
            to_accept=to_accept.get(street),
            to_rectify=to_rectify.get(street),
            rating_total=rating_total,
            ratings=rating_count,
        )
        rows.append(LeagueRow(StreetName(street, name), figures))
    return rows


@dataclass(frozen=True)
class FrozenRow:
    """One street's line of a frozen month (a ``MonthlyEvaluation`` as the page shows it)."""

    street: StreetName
    planned: int
    started: int
    completed: int
    on_time_share: Decimal | None
    average_delay_days: Decimal | None
    median_days_to_accept: Decimal | None
    median_days_to_rectify: Decimal | None
    satisfaction: Decimal | None


@dataclass(frozen=True)
class FrozenMonth:
    year: int
    month: int
    rows: list[FrozenRow]

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


_FROZEN = PreparedRows(
    lambda plan_year: (
        MonthlyEvaluation.objects.filter(plan_year=plan_year)
        .order_by("-year", "-month", "street__name")
        .values_list(
            "year",
            "month",
            "street_id",
            "street__name",
            "planned",
            "started",
            "completed",
            "on_time_share",
            "average_delay_days",
            "median_days_to_accept",
            "median_days_to_rectify",
            "satisfaction",
        )
    ),
    plan_year=MonthlyEvaluation._meta.get_field("plan_year"),
)


def frozen_months(plan_year: int | None, limit: int = 12) -> list[FrozenMonth]:
    """The plan year's frozen monthly evaluations, latest month first; one query."""
    if plan_year is None:
        return []
    months: list[FrozenMonth] = []
    for year, month, street_id, street_name, *figures in _FROZEN.rows(plan_year=plan_year):
        if not months or (months[-1].year, months[-1].month) != (year, month):
            if len(months) == limit:
                break
            months.append(FrozenMonth(year, month, []))
        months[-1].rows.append(FrozenRow(StreetName(street_id, street_name), *figures))
    return months


def evaluation_exists(*, plan_year: int, year: int, month: int) -> bool:
    return MonthlyEvaluation.objects.filter(plan_year=plan_year, year=year, month=month).exists()


def league_context(plan_year: int | None, today: date) -> dict[str, Any]:
    """What the public page and the admin screen show for a plan year."""
    rows = street_league(plan_year, today)
    return {"plan_year": plan_year, "as_of": today, "rows": rows, "months": frozen_months(plan_year)}
