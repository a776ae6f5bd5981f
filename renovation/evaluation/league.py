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

The database counts and sums these per street over the plan year (``selectors.street_league``: one
row per street, whatever the number of projects, issues and ratings) and hands over the totals and
each median's middle values; this module turns them into the figures shown, with the rounding
(half up, one decimal) and the float arithmetic of the medians as they always were.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Middle:
    """The middle value of a street's durations in seconds, or the two middle ones when there is an
    even number of them (equal when odd)."""

    lower: float
    upper: float


@dataclass(frozen=True)
class ProjectTotals:
    """A street's projects in the plan year, counted as of the day."""

    planned: int
    started: int
    completed: int
    dated: int  # completed, with a planned completion
    on_time: int  # of those, completed on or before it
    delays: int  # due by the day or completed (and dated): the projects the average delay is over
    delay_days: int  # their days late, summed


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


def median_days(middle: Middle | None) -> Decimal | None:
    """The median in days, as ``statistics.median`` takes it of the seconds (the mean of the two
    middle ones, in floating point)."""
    return rounded((middle.lower + middle.upper) / 2 / 86400) if middle is not None else None


def street_figures(
    street: int,
    projects: ProjectTotals,
    *,
    to_accept: Middle | None,
    to_rectify: Middle | None,
    rating_total: int,
    ratings: int,
) -> StreetFigures:
    """One street's line of the table from its totals."""
    return StreetFigures(
        street=street,
        planned=projects.planned,
        started=projects.started,
        completed=projects.completed,
        on_time_share=rounded(Decimal(projects.on_time * 100) / projects.dated) if projects.dated else None,
        average_delay_days=rounded(Decimal(projects.delay_days) / projects.delays) if projects.delays else None,
        median_days_to_accept=median_days(to_accept),
        median_days_to_rectify=median_days(to_rectify),
        satisfaction=rounded(Decimal(rating_total) / ratings) if ratings else None,
        ratings=ratings,
    )
