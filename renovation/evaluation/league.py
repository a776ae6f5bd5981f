"""The street league table's arithmetic (周监测、月评价), on plain rows, as of one day.

Everything is counted by the dates events happened, so the same function gives today's table and
the table as it stood on a past month's last day (which is what gets frozen):

- started: an actual start on or before the day;
- completed: accepted (or in aftercare) with an actual completion on or before the day;
- on-time share: of the completed projects with a planned completion, those completed on or
  before it, in percent;
- average delay: over the projects that were due by the day (planned completion before it) or
  completed, the days late — a completed one by its completion date, an open one by the day —
  on-time ones counting 0;
- response times: medians over the site issues reported by the day, of the days to accept and
  (from acceptance) to rectify, counting only steps taken by the day;
- satisfaction: the mean overall rating given by the day.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from renovation.projects.lateness import completion_delay, days_after

ONE_DECIMAL = Decimal("0.1")


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


@dataclass(frozen=True)
class StreetFigures:
    street: int
    planned: int
    started: int
    completed: int
    on_time_share: Decimal | None
    average_delay_days: Decimal | None
    median_days_to_accept: Decimal | None
    median_days_to_rectify: Decimal | None
    satisfaction: Decimal | None
    ratings: int


def rounded(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


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
    """One row per street that has projects in the plan; ``end`` is the first instant after
    ``as_of`` (local midnight), for timestamps."""
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
