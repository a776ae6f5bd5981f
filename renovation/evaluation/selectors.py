"""Reads for the street league table and the monthly evaluations, at a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from renovation.consultation.models import SatisfactionRating
from renovation.places.models import Street
from renovation.projects.models import COMPLETED_STATUSES, Project
from renovation.public.prepared import PreparedRows
from renovation.supervision.models import SiteIssue

from .league import IssueRow, ProjectRow, StreetFigures, league
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
# their querysets cost the page more than the database took to answer them.
_PLAN_YEAR = Project._meta.get_field("plan_year")
_STREETS = PreparedRows(lambda: Street.objects.order_by("name").values_list("pk", "name"))
_PROJECTS = PreparedRows(
    lambda plan_year: Project.objects.filter(plan_year=plan_year).values_list(
        "neighbourhood__community__street_id", "status", "planned_end", "actual_start", "actual_end"
    ),
    plan_year=_PLAN_YEAR,
)
_ISSUES = PreparedRows(
    lambda plan_year, end: SiteIssue.objects.filter(project__plan_year=plan_year, created_at__lt=end).values_list(
        "project__neighbourhood__community__street_id", "created_at", "accepted_at", "rectified_at"
    ),
    plan_year=_PLAN_YEAR,
    end=SiteIssue._meta.get_field("created_at"),
)
_RATINGS = PreparedRows(
    lambda plan_year, as_of: SatisfactionRating.objects.filter(
        project__plan_year=plan_year, rated_on__lte=as_of
    ).values_list("project__neighbourhood__community__street_id", "rated_on", "overall"),
    plan_year=_PLAN_YEAR,
    as_of=SatisfactionRating._meta.get_field("rated_on"),
)


_PLAN_YEARS = PreparedRows(lambda: Project.objects.order_by("-plan_year").values_list("plan_year").distinct())


def plan_years() -> list[int]:
    """Every plan year, latest first (``projects.selectors.plan_years``, compiled once)."""
    return [year for (year,) in _PLAN_YEARS.rows()]


def street_league(plan_year: int | None, as_of: date) -> list[LeagueRow]:
    """Every street with projects in the plan year, as of the end of ``as_of``; four queries."""
    if plan_year is None:
        return []
    streets = {pk: StreetName(pk, name) for pk, name in _STREETS.rows()}
    projects = [
        ProjectRow(street, status in COMPLETED_STATUSES, planned_end, actual_start, actual_end)
        for street, status, planned_end, actual_start, actual_end in _PROJECTS.rows(plan_year=plan_year)
    ]
    end = day_end(as_of)
    issues = [IssueRow(*row) for row in _ISSUES.rows(plan_year=plan_year, end=end)]
    ratings = _RATINGS.rows(plan_year=plan_year, as_of=as_of)
    figures = league(streets=streets, projects=projects, issues=issues, ratings=ratings, as_of=as_of, end=end)
    return [LeagueRow(streets[row.street], row) for row in figures]


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
