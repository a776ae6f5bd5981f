"""The street league table as it was computed before the database summed it: every project, site
issue and rating of the plan year read into Python and counted there (renovation/evaluation/
league.py and selectors.py up to h/streets, unchanged). The page must show exactly these figures:
tests/evaluation/test_street_league.py compares the two on varied data."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from renovation.consultation.models import SatisfactionRating
from renovation.evaluation.league import StreetFigures, rounded
from renovation.evaluation.selectors import day_end
from renovation.places.models import Street
from renovation.projects.lateness import completion_delay, days_after
from renovation.projects.models import COMPLETED_STATUSES, Project
from renovation.supervision.models import SiteIssue


@dataclass(frozen=True)
class ProjectRow:
    street: int
    completed: bool  # status accepted or aftercare
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None


@dataclass(frozen=True)
class IssueRow:
    street: int
    reported: datetime
    accepted: datetime | None
    rectified: datetime | None


def median_days(seconds: list[float]) -> Decimal | None:
    return rounded(statistics.median(seconds) / 86400) if seconds else None


def _project_figures(rows: list[ProjectRow], as_of: date) -> dict[str, object]:
    started = [row for row in rows if row.actual_start is not None and row.actual_start <= as_of]
    done = [row.completed and row.actual_end is not None and row.actual_end <= as_of for row in rows]
    completed = [row for row, finished in zip(rows, done, strict=True) if finished]
    dated = [row for row in completed if row.planned_end is not None]
    on_time = [row for row in dated if row.actual_end <= row.planned_end]
    delays = [completion_delay(row.planned_end, row.actual_end) for row in dated]
    delays += [
        days_after(as_of, row.planned_end)
        for row, finished in zip(rows, done, strict=True)
        if not finished and row.planned_end is not None and row.planned_end < as_of
    ]
    return {
        "planned": len(rows),
        "started": len(started),
        "completed": len(completed),
        "on_time_share": rounded(Decimal(len(on_time) * 100) / len(dated)) if dated else None,
        "average_delay_days": rounded(Decimal(sum(delays)) / len(delays)) if delays else None,
    }


def _issue_figures(rows: list[IssueRow], end: datetime) -> dict[str, object]:
    to_accept = [(row.accepted - row.reported).total_seconds() for row in rows if row.accepted and row.accepted < end]
    to_rectify = [
        (row.rectified - row.accepted).total_seconds()
        for row in rows
        if row.accepted and row.rectified and row.rectified < end
    ]
    return {"median_days_to_accept": median_days(to_accept), "median_days_to_rectify": median_days(to_rectify)}


def league(
    *,
    streets: Iterable[int],
    projects: Iterable[ProjectRow],
    issues: Iterable[IssueRow],
    ratings: Iterable[tuple[int, date, int]],
    as_of: date,
    end: datetime,
) -> list[StreetFigures]:
    projects_of: dict[int, list[ProjectRow]] = defaultdict(list)
    for row in projects:
        projects_of[row.street].append(row)
    issues_of: dict[int, list[IssueRow]] = defaultdict(list)
    for row in issues:
        if row.reported < end:
            issues_of[row.street].append(row)
    scores_of: dict[int, list[int]] = defaultdict(list)
    for street, rated_on, overall in ratings:
        if rated_on <= as_of:
            scores_of[street].append(overall)
    result = []
    for street in streets:
        if not projects_of[street]:
            continue
        scores = scores_of[street]
        result.append(
            StreetFigures(
                street=street,
                **_project_figures(projects_of[street], as_of),
                **_issue_figures(issues_of[street], end),
                satisfaction=rounded(Decimal(sum(scores)) / len(scores)) if scores else None,
                ratings=len(scores),
            )
        )
    return result


def reference_league(plan_year: int, as_of: date) -> list[tuple[str, StreetFigures]]:
    """(street name, figures) for every street with projects in the plan year, read as the page read them."""
    street = "neighbourhood__community__street_id"
    names = dict(Street.objects.order_by("name").values_list("pk", "name"))
    projects = [
        ProjectRow(street_id, status in COMPLETED_STATUSES, planned_end, actual_start, actual_end)
        for street_id, status, planned_end, actual_start, actual_end in Project.objects.filter(
            plan_year=plan_year
        ).values_list(street, "status", "planned_end", "actual_start", "actual_end")
    ]
    end = day_end(as_of)
    issues = [
        IssueRow(*row)
        for row in SiteIssue.objects.filter(project__plan_year=plan_year, created_at__lt=end).values_list(
            f"project__{street}", "created_at", "accepted_at", "rectified_at"
        )
    ]
    ratings = SatisfactionRating.objects.filter(project__plan_year=plan_year, rated_on__lte=as_of).values_list(
        f"project__{street}", "rated_on", "overall"
    )
    figures = league(streets=names, projects=projects, issues=issues, ratings=ratings, as_of=as_of, end=end)
    return [(names[row.street], row) for row in figures]
