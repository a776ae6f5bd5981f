"""Reads for the street league table and the monthly evaluations, at a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from renovation.consultation.models import SatisfactionRating
from renovation.places.models import Street
from renovation.projects.models import COMPLETED_STATUSES, Project
from renovation.supervision.models import SiteIssue

from .league import IssueRow, ProjectRow, StreetFigures, league
from .models import MonthlyEvaluation


@dataclass(frozen=True)
class LeagueRow:
    street: Street
    figures: StreetFigures


def day_end(day: date) -> datetime:
    """The first instant after ``day`` in Beijing time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def street_league(plan_year: int | None, as_of: date) -> list[LeagueRow]:
    """Every street with projects in the plan year, as of the end of ``as_of``; four queries."""
    if plan_year is None:
        return []
    streets = {street.pk: street for street in Street.objects.order_by("name")}
    projects = [
        ProjectRow(street, status in COMPLETED_STATUSES, planned_end, actual_start, actual_end)
        for street, status, planned_end, actual_start, actual_end in Project.objects.filter(
            plan_year=plan_year
        ).values_list("neighbourhood__community__street_id", "status", "planned_end", "actual_start", "actual_end")
    ]
    end = day_end(as_of)
    issues = [
        IssueRow(*row)
        for row in SiteIssue.objects.filter(project__plan_year=plan_year, created_at__lt=end).values_list(
            "project__neighbourhood__community__street_id", "created_at", "accepted_at", "rectified_at"
        )
    ]
    ratings = SatisfactionRating.objects.filter(project__plan_year=plan_year, rated_on__lte=as_of).values_list(
        "project__neighbourhood__community__street_id", "rated_on", "overall"
    )
    figures = league(streets=streets, projects=projects, issues=issues, ratings=ratings, as_of=as_of, end=end)
    return [LeagueRow(streets[row.street], row) for row in figures]


@dataclass(frozen=True)
class FrozenMonth:
    year: int
    month: int
    rows: list[MonthlyEvaluation]

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


def frozen_months(plan_year: int | None, limit: int = 12) -> list[FrozenMonth]:
    """The plan year's frozen monthly evaluations, latest month first; one query."""
    if plan_year is None:
        return []
    rows = list(
        MonthlyEvaluation.objects.filter(plan_year=plan_year)
        .select_related("street")
        .order_by("-year", "-month", "street__name")
    )
    months: list[FrozenMonth] = []
    for row in rows:
        if not months or (months[-1].year, months[-1].month) != (row.year, row.month):
            if len(months) == limit:
                break
            months.append(FrozenMonth(row.year, row.month, []))
        months[-1].rows.append(row)
    return months


def evaluation_exists(*, plan_year: int, year: int, month: int) -> bool:
    return MonthlyEvaluation.objects.filter(plan_year=plan_year, year=year, month=month).exists()


def league_context(plan_year: int | None, today: date) -> dict[str, Any]:
    """What the public page and the admin screen show for a plan year."""
    rows = street_league(plan_year, today)
    return {"plan_year": plan_year, "as_of": today, "rows": rows, "months": frozen_months(plan_year)}
