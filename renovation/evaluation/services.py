"""Freezing the monthly evaluation (月评价) at each month's end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau
from renovation.changelog.records import save_recorded
from renovation.projects.selectors import plan_years
from renovation.public.cache import Change, pages_changed

from .models import MonthlyEvaluation
from .selectors import evaluation_exists, street_league


def month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def ended_months(first: date, today: date) -> list[tuple[int, int]]:
    """(year, month) from ``first``'s month up to the last month that ended before ``today``."""
    months = []
    year, month = first.year, first.month
    while month_end(year, month) < today:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_evaluations_freeze(*, actor: Any = None, today: date | None = None) -> int:
    """Freeze every ended month not frozen yet, for each plan year it concerns; returns how many
    street rows were written. Run by the ``evaluations_freeze`` command (``actor`` None: the
    system) or by bureau staff. Idempotent: a month already frozen is never computed again.

    A month evaluates the plan years from its own year back to the oldest plan that still had an
    unfinished project at the month's end (a plan year fully completed drops out of later months)."""
    if actor is not None and not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff may freeze the monthly evaluation."))
    today = today or timezone.localdate()
    written = 0
    for plan_year in sorted(plan_years()):
        for year, month in ended_months(date(plan_year, 1, 1), today):
            if evaluation_exists(plan_year=plan_year, year=year, month=month):
                continue
            written += _freeze_month(actor=actor, plan_year=plan_year, year=year, month=month)
    return written


def _freeze_month(*, actor: Any, plan_year: int, year: int, month: int) -> int:
    last_day = month_end(year, month)
    rows = street_league(plan_year, last_day)
    if year > plan_year and all(row.figures.completed == row.figures.planned for row in rows):
        return 0
    try:
        with transaction.atomic():
            for row in rows:
                figures = row.figures
                save_recorded(
                    MonthlyEvaluation(
                        street_id=row.street.pk,
                        plan_year=plan_year,
                        year=year,
                        month=month,
                        planned=figures.planned,
                        started=figures.started,
                        completed=figures.completed,
                        on_time_share=figures.on_time_share,
                        average_delay_days=figures.average_delay_days,
                        median_days_to_accept=figures.median_days_to_accept,
                        median_days_to_rectify=figures.median_days_to_rectify,
                        satisfaction=figures.satisfaction,
                        ratings=figures.ratings,
                        frozen_at=timezone.now(),
                    ),
                    actor=actor,
                    reason="monthly_evaluation_freeze",
                )
            pages_changed(Change.EVALUATION)
    except (IntegrityError, ValidationError):
        # Another run froze this month at the same moment (the unique constraint says so, before
        # or at the insert): its figures stand and nothing of this run is kept.
        return 0
    return len(rows)
