"""Whether works keep to their plan (周监测、预警): plain arithmetic on dates and confirmed progress.

No ORM here: ``renovation.projects.selectors.lateness_*`` load the figures in a fixed number of
queries and hand them over. Every "day" is an Asia/Shanghai calendar day: callers pass
``timezone.localdate()`` values, never UTC dates.

The rules, with their boundaries:

- **逾期 N 天** (overdue): not complete and today is after the planned completion date; N is the
  number of calendar days since that date (the planned day itself is still on time).
- **未按期开工** (not started): nothing done and today is after the planned start date.
- **进度停滞** (stalled): only under construction and not complete; the last confirmed progress
  (or, before any, the actual start) is ``stall_days`` or more days old.
- **预计完工** (forecast): from the pace of confirmed progress between the first and the last
  confirmed point; it needs two points on different days with progress rising, otherwise the page
  says there is not enough data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .progress import weighted_progress

ZERO = Decimal("0")
HUNDRED = Decimal("100")

# Why a forecast could not be made; the templates say it in words.
FORECAST_DONE = "done"
FORECAST_NO_DATA = "no_data"  # fewer than two confirmed points on different days
FORECAST_NO_PACE = "no_pace"  # progress did not rise between the first and the last point

WARNING_OVERDUE = "overdue"
WARNING_NOT_STARTED = "not_started"
WARNING_STALLED = "stalled"
WARNING_FORECAST_LATE = "forecast_late"


@dataclass(frozen=True)
class ProgressPoint:
    """Confirmed progress of one subject as of one day."""

    day: date
    percent: Decimal


@dataclass(frozen=True)
class Forecast:
    finish: date | None
    reason: str = ""  # empty when ``finish`` is set


@dataclass(frozen=True)
class Lateness:
    overdue_days: int  # 0 when not overdue
    late_start_days: int  # 0 unless the planned start passed with nothing done
    stalled_days: int  # 0 unless stalled; else days since the last confirmed progress
    forecast: Forecast
    forecast_late_days: int  # days the forecast finish lies after the planned completion

    @property
    def warnings(self) -> list[tuple[str, int]]:
        """(kind, days) for every warning, most serious first."""
        found = [
            (WARNING_OVERDUE, self.overdue_days),
            (WARNING_NOT_STARTED, self.late_start_days),
            (WARNING_STALLED, self.stalled_days),
            (WARNING_FORECAST_LATE, self.forecast_late_days),
        ]
        return [(kind, days) for kind, days in found if days > 0]

    @property
    def is_late(self) -> bool:
        return bool(self.warnings)


def days_after(later: date, earlier: date | None) -> int:
    """Whole calendar days from ``earlier`` to ``later``, never negative (0 without a date)."""
    if earlier is None:
        return 0
    return max((later - earlier).days, 0)


def completion_delay(planned_end: date | None, actual_end: date | None) -> int | None:
    """Days a finished subject came in after its planned completion (0 if on time), or None when
    either date is missing."""
    if planned_end is None or actual_end is None:
        return None
    return max((actual_end - planned_end).days, 0)


def forecast_finish(points: Sequence[ProgressPoint]) -> Forecast:
    """Extrapolate the pace between the first and the last confirmed point to 100%."""
    if points and points[-1].percent >= HUNDRED:
        return Forecast(None, FORECAST_DONE)
    if len(points) < 2 or points[-1].day <= points[0].day:
        return Forecast(None, FORECAST_NO_DATA)
    first, last = points[0], points[-1]
    gained = last.percent - first.percent
    if gained <= 0:
        return Forecast(None, FORECAST_NO_PACE)
    elapsed = (last.day - first.day).days
    # Days still needed at the same pace, rounded up: a finish is never forecast too early.
    needed = math.ceil((HUNDRED - last.percent) * elapsed / gained)
    return Forecast(last.day + timedelta(days=needed))


def assess(
    *,
    today: date,
    planned_start: date | None,
    planned_end: date | None,
    actual_start: date | None,
    complete: bool,
    progress: Decimal,
    under_construction: bool,
    points: Sequence[ProgressPoint],
    last_confirmed: date | None,
    stall_days: int,
) -> Lateness:
    """Every warning for one project or work item.

    ``points`` are its confirmed progress points in date order; ``last_confirmed`` is the day the
    latest progress report was confirmed (the stall clock restarts then)."""
    if complete:
        return Lateness(0, 0, 0, Forecast(None, FORECAST_DONE), 0)
    overdue = days_after(today, planned_end)
    started = actual_start is not None or progress > 0
    late_start = 0 if started else days_after(today, planned_start)
    stalled = 0
    if under_construction:
        quiet = days_after(today, last_confirmed or actual_start)
        if (last_confirmed or actual_start) is not None and quiet >= stall_days:
            stalled = quiet
    forecast = forecast_finish(points)
    forecast_late = days_after(forecast.finish, planned_end) if forecast.finish and planned_end else 0
    return Lateness(overdue, late_start, stalled, forecast, forecast_late)


def project_points(budgets: Mapping[int, Decimal], reports: Iterable[tuple[int, date, Decimal]]) -> list[ProgressPoint]:
    """The project's confirmed progress over time, replayed from its work items' confirmed reports.

    ``budgets`` maps each work item to its budget; ``reports`` are (work item, as-of day, percent)
    in the order they were confirmed. After each day the project stands at the budget-weighted
    mean of its items (items without a report yet count as 0%), as ``progress.weighted_progress``
    computes the stored figure."""
    current = dict.fromkeys(budgets, ZERO)
    by_day: dict[date, Decimal] = {}
    for item_id, day, percent in sorted(reports, key=lambda report: report[1]):
        if item_id not in current:
            continue
        current[item_id] = percent
        by_day[day] = weighted_progress((budgets[key], value) for key, value in current.items())
    return [ProgressPoint(day, percent) for day, percent in sorted(by_day.items())]


def item_points(reports: Iterable[tuple[date, Decimal]]) -> list[ProgressPoint]:
    """A work item's confirmed points in date order; the last report of a day stands for it."""
    by_day: dict[date, Decimal] = {}
    for day, percent in sorted(reports, key=lambda report: report[0]):
        by_day[day] = percent
    return [ProgressPoint(day, percent) for day, percent in sorted(by_day.items())]
