"""The public league table (/streets/), kept per plan year and language (StreetLeagueSummary).

Live, the page reads every project, site issue and satisfaction rating of the plan year (the
database sums them into a row per street: ``selectors.street_league``), so its time grows with
the plan. The page inserts instead the HTML of its year switch, table, charts and frozen months as
the job rendered it from the same selectors and templates (``LEAGUE_TEMPLATE``), in one query of a
fixed size whatever the plan holds.

The pattern is the home page's (cms.home_summary): a change the page shows (``CHANGE_PAGES`` lists
"streets" or "site" for it) marks every row stale right after its commit, not inside its
transaction; then one job (``renovation.evaluation.tasks.street_league_rebuild``) renders every
plan year in every language again and writes each row only if no later change bumped its
generation meanwhile. The table counts days to the day (started, overdue, the caption's date), so
a row is valid until the next midnight and the clock (``street-league-refresh``) rebuilds it then,
or after a deploy or a lost job. Missing, stale, of another ``LEAGUE_SUMMARY_VERSION`` or build,
past its time, not signed with this site's key or unreadable, a row is ignored and the page renders
live: a GET never writes, and no figure has two sources (the monthly freeze reads the same
selector, ``street_league``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from renovation.jobs.queue import RebuildAfterCommit
from renovation.projects.selectors import default_plan_year
from renovation.public.build import source_digest
from renovation.public.cache import CHANGE_PAGES, Change, next_midnight
from renovation.public.signed import is_signed, key_digest, signature
from renovation.public.unreadable import log_unreadable

from .models import StreetLeagueSummary

logger = logging.getLogger(__name__)

# Bump when what the rows hold changes shape: older rows are then ignored and rebuilt.
LEAGUE_SUMMARY_VERSION = 1
# The changes that alter the table: those the one list says touch /streets/ (or every page).
LEAGUE_CHANGES = frozenset(change for change, pages in CHANGE_PAGES.items() if {"streets", "site"} & set(pages))
# What the rows keep: the part of the page below its heading, which reads no request.
LEAGUE_TEMPLATE = "evaluation/league_year.html"
_PURPOSE = "street league"


# --- reading -------------------------------------------------------------------------------------


def stored_league_html(asked_year: int | None, now: datetime) -> SafeString | None:
    """The kept HTML of the plan year asked for (or, when it has no projects, of the default one)
    in the active language, when fit to show now; None: render it live."""
    language = translation.get_language()
    rows = {row[0]: row for row in _current_rows(language, asked_year, now)}
    row = rows.get(asked_year) if asked_year is not None else None
    try:
        if row is not None:
            return mark_safe(_read(language, row)["html"])  # our templates, signed
        default = next((found for found in rows.values() if found[1]), None)
        if default is None:
            return None
        content = _read(language, default)
        if asked_year in content["years"]:
            return None  # a plan year whose own row is not current: live
        return mark_safe(content["html"])  # our templates, signed
    except (ValueError, KeyError, TypeError):
        plan_year, _default, _content, _signature, generation, build = row or default
        key = (plan_year, language, LEAGUE_SUMMARY_VERSION, build, generation)
        log_unreadable(logger, key, "street league %s: unreadable summary in %s, rendered live", plan_year, language)
        return None


def _current_rows(language: str, asked_year: int | None, now: datetime) -> list[tuple[Any, ...]]:
    """The language's current rows of the asked plan year and of the default one (at most two), in
    the page's one query: written out, as the ORM would spend more CPU compiling it than the
    database answering it."""
    table = connection.ops.quote_name(StreetLeagueSummary._meta.db_table)
    year = asked_year if asked_year is not None and 0 <= asked_year <= 32767 else -1  # the column's range
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT plan_year, shown_by_default, content, signature, generation, build FROM {table}"
            " WHERE language = %s AND version = %s AND build = %s AND built_generation = generation"
            " AND valid_until > %s AND (plan_year = %s OR shown_by_default)",
            [
                language,
                LEAGUE_SUMMARY_VERSION,
                current_build(),
                connection.ops.adapt_datetimefield_value(now),
                year,
            ],
        )
        return cursor.fetchall()


def _read(language: str, row: tuple[Any, ...]) -> dict[str, Any]:
    """A row's content; raises ValueError on a row not signed by this site or not of the shape
    written."""
    plan_year, shown_by_default, content_text, given, _generation, build = row
    if not is_signed(given, _PURPOSE, _parts(plan_year, language, shown_by_default, build), content_text):
        raise ValueError("signature does not match")
    content = json.loads(content_text)
    years, html = content["years"], content["html"]
    if not isinstance(years, list) or not all(type(year) is int for year in years) or not isinstance(html, str):
        raise ValueError("not the plan years and the page's HTML")
    return content


def _parts(plan_year: int, language: str, shown_by_default: bool, build: str) -> tuple[str | int, ...]:
    return (plan_year, language, int(shown_by_default), build)


# --- building ------------------------------------------------------------------------------------


def league_year_context(plan_year: int | None, years: list[int], today: Any) -> dict[str, Any]:
    """What ``LEAGUE_TEMPLATE`` reads for a plan year, from the selectors: the same for the page
    live and for the job."""
    from .selectors import league_context
    from .views import charts

    context = league_context(plan_year, today)
    context.update({"plan_years": years, "charts": charts(context["rows"])})
    return context


def _render(plan_year: int, years: list[int], language: str, today: Any) -> str:
    with translation.override(language):
        html = render_to_string(LEAGUE_TEMPLATE, league_year_context(plan_year, years, today))
    return json.dumps({"years": years, "html": html}, ensure_ascii=False, sort_keys=True)


def street_league_rebuild(now: datetime | None = None) -> int:
    """Render every plan year's league table in every language from the selectors and keep them;
    returns how many rows were written (one a change marked stale meanwhile is left to its job)."""
    from .selectors import plan_years
    from .services import (
        street_league_summaries_ensure,
        street_league_summaries_forget,
        street_league_summary_store,
    )

    now = now or timezone.now()
    # The rows first, then their generations, before anything is rendered: a change committed after
    # this read bumps them, and the conditional write then leaves them stale for its own job.
    street_league_summaries_ensure(plan_years())
    generations = {
        (year, language): generation
        for year, language, generation in StreetLeagueSummary.objects.values_list("plan_year", "language", "generation")
    }
    years = plan_years()  # read again after the generations: a year added since has no row here
    street_league_summaries_forget(years)
    today = timezone.localdate(now)
    default = default_plan_year(today, years)
    build = current_build()
    count = 0
    for year in years:
        for language, _name in settings.LANGUAGES:
            if (year, language) not in generations:
                continue  # its change's job builds it
            content = _render(year, years, language, today)
            count += street_league_summary_store(
                plan_year=year,
                language=language,
                generation=generations[(year, language)],
                shown_by_default=year == default,
                version=LEAGUE_SUMMARY_VERSION,
                build=build,
                content=content,
                signature=signature(_PURPOSE, _parts(year, language, year == default, build), content),
                valid_until=next_midnight(now),
            )
    return count


def street_league_refresh(now: datetime | None = None) -> int:
    """Rebuild the league table's rows when any is missing, stale, outdated or past its time (the
    clock runs this); returns how many were rebuilt."""
    from .selectors import plan_years

    now = now or timezone.now()
    years = plan_years()
    current = StreetLeagueSummary.objects.filter(
        Q(plan_year__in=years)
        & Q(version=LEAGUE_SUMMARY_VERSION)
        & Q(build=current_build())
        & Q(built_generation=F("generation"))
        & Q(valid_until__gt=now)
    )
    if current.count() == len(years) * len(settings.LANGUAGES):
        return 0
    return street_league_rebuild(now)


@functools.cache
def current_build() -> str:
    """A digest of what renders the table: this module's version, the code, templates and
    compiled translations of renovation, and the key that signs it. A deploy that changes any of
    them makes every row stale (the clock rebuilds them); web and worker agree when they run the
    same release."""
    digest = hashlib.sha256(f"{LEAGUE_SUMMARY_VERSION}\n{settings.TIME_ZONE}\n".encode())
    digest.update(source_digest(("renovation",), (".py", ".html", ".mo")))
    digest.update(key_digest())
    return digest.hexdigest()


# --- after a change ------------------------------------------------------------------------------


def _tasks() -> Any:
    from . import tasks  # the tasks module imports this one

    return tasks


def _mark_stale(_ids: list[int] | None) -> None:
    from .services import street_league_summaries_mark_stale

    street_league_summaries_mark_stale()


# Once per transaction, after its commit, however many changes it made: the rows marked stale,
# then one job that rebuilds every plan year and language.
rebuilds = RebuildAfterCommit(
    "street league summary",
    rebuild=lambda ids: _tasks().street_league_rebuild.enqueue(),
    refresh=lambda: _tasks().street_league_rebuild.enqueue(),
    mark=_mark_stale,
    unmarked=lambda ids: _tasks().street_league_rebuild.enqueue(force=True),
)


def league_after_change(change: Change, project_ids: set[int]) -> None:
    """A change /streets/ shows (renovation.public.cache.on_pages_changed): once its transaction
    commits, the rows are marked stale and one job rebuilds them (``rebuilds``)."""
    if change in LEAGUE_CHANGES:
        rebuilds.add(None)
