"""Freezing the monthly evaluation (月评价) at each month's end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau
from renovation.changelog.records import save_recorded
from renovation.projects.selectors import plan_years
from renovation.public.cache import Change, pages_changed

from .models import MonthlyEvaluation, StreetLeagueSummary
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


# --- The league table's stored rendering (stored.py): system writes, checking no actor. ---


def street_league_summaries_ensure(plan_years: list[int]) -> None:
    """Give each plan year its row in every language, stale until built (see StreetLeagueSummary),
    so that every later change has a generation to bump."""
    StreetLeagueSummary.objects.bulk_create(
        [
            StreetLeagueSummary(plan_year=year, language=code, version=0, valid_until=timezone.now())
            for year in plan_years
            for code, _name in settings.LANGUAGES
        ],
        ignore_conflicts=True,  # a concurrent job made it meanwhile: it is there, as wanted
    )


def street_league_summaries_mark_stale() -> None:
    """Mark the league table stale in every plan year and language, right after the commit of a
    change that alters it (stored.rebuilds): from then until its rebuild, the page renders live.
    One UPDATE; a plan year without a row yet renders live until the job makes and builds it."""
    StreetLeagueSummary.objects.update(generation=F("generation") + 1)


def street_league_summary_store(
    *,
    plan_year: int,
    language: str,
    generation: int | None,
    shown_by_default: bool,
    version: int,
    build: str,
    content: str,
    signature: str,
    valid_until: datetime,
) -> bool:
    """Keep a plan year's league table in a language, rendered from what was committed when its
    row stood at ``generation``; written only if no change has bumped the generation since (that
    change's own job writes it): returns whether it was written."""
    if generation is None:
        return False
    written = StreetLeagueSummary.objects.filter(plan_year=plan_year, language=language, generation=generation).update(
        shown_by_default=shown_by_default,
        version=version,
        build=build,
        content=content,
        signature=signature,
        built_generation=generation,
        built_at=timezone.now(),
        valid_until=valid_until,
    )
    return bool(written)


def street_league_summaries_forget(plan_years: list[int]) -> None:
    """Drop the rows of plan years that no longer have projects (marked stale by the change that
    emptied them, they would never be shown)."""
    StreetLeagueSummary.objects.exclude(plan_year__in=plan_years).delete()
