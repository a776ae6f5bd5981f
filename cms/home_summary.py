"""The home page's sections, kept in one row per language (HomePublicSummary).

Every section of the home page but its editorial introduction comes from the back end and is the
same for every visitor: the find-my-estate form (the index's address), the plan year's heading and
the year switch, the plan in numbers with the money disclosed, the residents' satisfaction and the
latest confirmed updates with their projects' links. Live they cost some ten queries and most of
the page's templates; the page inserts them instead from the stored HTML (``PART_TEMPLATES``,
through ``{% home_part %}``), rendered for every plan year: the year asked for, or the default one
(this year's plan, else the latest past), is picked from the stored plan years at no query.

The pattern is the project page's (cms.summary): a change that the home page shows (``CHANGE_PAGES``
lists "home" or "site" for it) marks the rows stale right after its commit, not inside its
transaction (every such change marks the same two rows: held until each commit, they queued every
public change behind the others, and could deadlock two of them); then one job
(``cms.tasks.home_summary_rebuild``) renders them again from the selectors, unless an earlier job
of the same burst already did (it reads first whether they are still stale), and writes each only if
no later change bumped its generation meanwhile; the clock (``home-summary-refresh``)
rebuilds them past midnight, after a deploy or a lost job. Missing, stale, of another
``HOME_SUMMARY_VERSION`` or build, past its time, rendered for another Wagtail site (the links are
relative to the site they were rendered for), not signed with this site's key or unreadable, a row
is ignored and the page renders the sections live: a GET never writes, and no figure has two
sources. The content is JSON text with a signature, read only here.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import mark_safe
from wagtail.models import Site

from renovation.consultation import selectors as consultation_selectors
from renovation.finance import public as finance_public
from renovation.jobs.queue import RebuildAfterCommit
from renovation.projects import selectors as project_selectors
from renovation.public.cache import CHANGE_PAGES, Change, next_midnight
from renovation.public.unreadable import log_unreadable

from .summary import current_build
from .visibility import unrestricted

logger = logging.getLogger(__name__)

# Bump when what the rows hold changes shape: older rows are then ignored and rebuilt.
HOME_SUMMARY_VERSION = 1
# The changes that alter the home page: those the one list says touch it (or every page).
HOME_CHANGES = frozenset(change for change, pages in CHANGE_PAGES.items() if {"home", "site"} & set(pages))
# The home page's sections the rows keep, and the template each is rendered from, by the job and
# by the page when it renders them live. None reads the request: links come in as plain URLs.
PART_TEMPLATES = {
    "find": "cms/includes/home_find.html",
    "heading": "cms/includes/home_heading.html",
    "years": "cms/includes/home_years.html",
    "plan": "cms/includes/home_plan.html",
    "satisfaction": "consultation/includes/home_satisfaction.html",
    "updates": "cms/includes/home_updates.html",
}
_SIGNATURE_SALT = "cms.home_summary.HomePublicSummary"
# The latest confirmed updates the page lists.
UPDATES = 8


def page_context(request: HttpRequest, asked_year: int | None, now: datetime) -> dict[str, Any]:
    """The home page's context for its sections: their stored HTML when the row is fit to show now
    (``home_html``), else the sections' values live (``home_html`` None)."""
    stored = stored_context(request, asked_year, now)
    if stored is not None:
        return stored
    years = project_selectors.plan_years()
    return {"home_html": None, **year_context(years, _year_shown(asked_year, years, now), request=request)}


def _year_shown(asked_year: int | None, years: list[int], now: datetime) -> int | None:
    """The plan year asked for when it has projects, else this year's plan or the latest past one."""
    if asked_year in years:
        return asked_year
    return project_selectors.default_plan_year(timezone.localdate(now), years)


def year_context(
    years: list[int], year: int | None, *, request: HttpRequest | None = None, site: Site | None = None
) -> dict[str, Any]:
    """What the sections' templates read for a plan year, from the selectors. Links are relative to
    the request's site, or to ``site`` (the job's: it has no request), as Wagtail makes them."""
    from .models import ProjectIndexPage, project_page_urls

    index = unrestricted(ProjectIndexPage.objects.live()).first()
    # Everything under a plan year belongs to that year: figures, updates, money, satisfaction.
    updates = project_selectors.latest_confirmed_reports(limit=UPDATES, plan_year=year)
    project_ids = [report.work_item.project_id for report in updates]
    return {
        "plan_years": years,
        "summary": project_selectors.plan_summary(year),
        "disclosed": finance_public.plan_year_disclosed(year),
        "index_url": index.get_url(request, current_site=site) if index is not None else None,
        "updates": updates,
        "update_urls": project_page_urls(project_ids, request, current_site=site),
        "satisfaction": consultation_selectors.satisfaction_overview(plan_year=year),
    }


def stored_context(request: HttpRequest, asked_year: int | None, now: datetime) -> dict[str, Any] | None:
    """The kept sections in the active language for the year shown, or None when there are none fit
    to show now."""
    language = translation.get_language()
    row = _current_row(language, now)
    if row is None:
        return None
    content_text, signature, generation = row
    try:
        if not constant_time_compare(signature, _signature(language, current_build(), content_text)):
            raise ValueError("signature does not match")
        content = json.loads(content_text)
        site = Site.find_for_request(request)  # found by routing already: no query
        if content["site"] != (site.pk if site is not None else None):
            return None  # another host name's links: rendered for its own site live
        years = content["years"]
        if not isinstance(years, list) or not all(type(year) is int for year in years):
            raise ValueError("plan years not a list of years")
        year = _year_shown(asked_year, years, now)
        return {"home_html": _read(content["by_year"][_year_key(year)])}
    except (ValueError, KeyError, TypeError):
        key = ("home", language, HOME_SUMMARY_VERSION, current_build(), generation)
        log_unreadable(logger, key, "home page: unreadable summary in %s, rendered live", language)
        return None


def _current_row(language: str, now: datetime) -> tuple[str, str, int] | None:
    """The content, signature and generation of the language's row if it is current (of this version and
    build, as built as its generation, before its time), in the page's one query of its own:
    written out, as the ORM would spend more CPU compiling it than the database answering it."""
    from .models import HomePublicSummary

    table = connection.ops.quote_name(HomePublicSummary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content, signature, generation FROM {table} WHERE language = %s AND version = %s AND build = %s"
            " AND built_generation = generation AND valid_until > %s",
            [language, HOME_SUMMARY_VERSION, current_build(), connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.fetchone()


def _read(stored: dict[str, Any]) -> dict[str, Any]:
    """A year's stored sections; raises on anything not of the shape written."""
    if set(stored) != set(PART_TEMPLATES) or not all(isinstance(value, str) for value in stored.values()):
        raise ValueError("sections missing or not text")
    # Rendered by our templates from our selectors, and signed with the site's key.
    return {name: mark_safe(value) for name, value in stored.items()}


def _year_key(year: int | None) -> str:
    return "" if year is None else str(year)


def _render(language: str, site: Site | None, now: datetime) -> str:
    """The rows's content in a language: the sections of every plan year (of none when there are no
    projects yet)."""
    years = project_selectors.plan_years()
    by_year = {}
    with translation.override(language):
        for year in years or [None]:
            context = year_context(years, year, site=site)
            by_year[_year_key(year)] = {
                name: render_to_string(template, context) for name, template in PART_TEMPLATES.items()
            }
    content = {"site": site.pk if site is not None else None, "years": years, "by_year": by_year}
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def home_summary_rebuild(now: datetime | None = None) -> int:
    """Render the home page's sections in every language from the selectors and keep them; returns
    how many languages were written (one a change marked stale meanwhile is left to its job)."""
    from .models import HomePage, HomePublicSummary
    from .services import home_public_summaries_ensure, home_public_summary_store

    now = now or timezone.now()
    # The rows first, then their generations before anything is rendered: a change committed after
    # this read bumps them, and the conditional write then leaves them stale for its own job.
    home_public_summaries_ensure()
    generations = dict(HomePublicSummary.objects.values_list("language", "generation"))
    home = HomePage.objects.first()
    site = home.get_site() if home is not None else None
    build = current_build()
    count = 0
    for code, _name in settings.LANGUAGES:
        content = _render(code, site, now)
        count += home_public_summary_store(
            language=code,
            generation=generations.get(code),
            version=HOME_SUMMARY_VERSION,
            build=build,
            content=content,
            signature=_signature(code, build, content),
            valid_until=next_midnight(now),
        )
    return count


def home_summary_refresh(now: datetime | None = None) -> int:
    """Rebuild the home page's rows when any is missing, stale, outdated or past its time (the
    clock runs this); returns how many were rebuilt."""
    from .models import HomePublicSummary

    now = now or timezone.now()
    current = HomePublicSummary.objects.filter(
        Q(version=HOME_SUMMARY_VERSION)
        & Q(build=current_build())
        & Q(built_generation=F("generation"))
        & Q(valid_until__gt=now)
    )
    if current.count() == len(settings.LANGUAGES):
        return 0
    return home_summary_rebuild(now)


def _signature(language: str, build: str, content: str) -> str:
    """An HMAC with the site's key: a row not written by this site (another installation's, or
    typed into the database) is never shown."""
    return salted_hmac(_SIGNATURE_SALT, f"{language}\n{build}\n{content}", algorithm="sha256").hexdigest()


def _tasks() -> Any:
    from . import tasks  # the tasks module imports this one

    return tasks


def _mark_stale(_ids: list[int] | None) -> None:
    from .services import home_public_summaries_mark_stale

    home_public_summaries_mark_stale()


# Once per transaction, after its commit, however many changes it made: the rows marked stale,
# then one job that rebuilds every language.
rebuilds = RebuildAfterCommit(
    "home page summary",
    rebuild=lambda ids: _tasks().home_summary_rebuild.enqueue(),
    refresh=lambda: _tasks().home_summary_rebuild.enqueue(),
    mark=_mark_stale,
    unmarked=lambda ids: _tasks().home_summary_rebuild.enqueue(force=True),
)


def home_summary_after_change(change: Change, project_ids: set[int]) -> None:
    """A change the home page shows (renovation.public.cache.on_pages_changed): once its
    transaction commits, the rows are marked stale and one job rebuilds them (``rebuilds``)."""
    if change in HOME_CHANGES:
        rebuilds.add(None)
