"""How many projects the project index lists, kept in one row per index (ProjectIndexCounts).

The index shows the exact total of the projects its filters select. Counted on each request, that
total is the one part of the page that grows with the data: the list query reads one page of
projects, but a count reads every selected one (with the published-pages join). The totals of the
index as first shown (no filter) and of each value of each filter alone (a street, a plan year, a
status, a work category) are kept instead; the list query reads the row in a subquery of its own
(``ProjectIndexPage.listing_queryset``), so the page still runs one query for its list.

The pattern is the home page's (cms.home_summary): a change the index shows (``CHANGE_PAGES`` lists
"index" or "site" for it: a project, its works or progress, a tender step, a page published, moved
or restricted, a place or a plan import) marks the rows stale right after its commit; one job
(``cms.tasks.index_counts_rebuild``) counts again with the same selection the page lists
(``ProjectIndexPage.filtered_projects``), unless an earlier job of the same burst already did (it
reads first whether they are still stale), and writes each row only if no later change bumped its
generation meanwhile; the clock (``index-counts-refresh``) counts past midnight, after a deploy or a
lost job. Missing, stale, of another ``INDEX_COUNTS_VERSION``, past its time or unreadable, a row
is ignored and the page counts live, as it does for a search and for several filters at once: a
GET never writes, and the total has one source.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q
from django.utils import timezone

from renovation.jobs.queue import RebuildAfterCommit
from renovation.places.models import Street
from renovation.projects import selectors as project_selectors
from renovation.projects.models import ProjectStatus, WorkCategory
from renovation.public.cache import CHANGE_PAGES, Change, next_midnight
from renovation.public.unreadable import log_unreadable

if TYPE_CHECKING:
    from .models import ProjectIndexPage

logger = logging.getLogger(__name__)

# Bump when what the rows hold changes shape or meaning: older rows are then ignored and counted again.
INDEX_COUNTS_VERSION = 1
# The changes that alter what the index lists: those the one list says touch it (or every page).
INDEX_CHANGES = frozenset(change for change, pages in CHANGE_PAGES.items() if {"index", "site"} & set(pages))
# The filters whose values alone have their total kept (the search has none: any text is a filter).
KEPT_FILTERS = ("street", "plan_year", "status", "category")
ALL = "all"


def kept_key(filters: Mapping[str, Any]) -> tuple[str, str] | None:
    """Where the total of these filters is kept: ``("all", "")`` for none, the filter's name and
    value for one kept filter alone; None when it is counted live (a search, several filters)."""
    given = [(name, value) for name, value in filters.items() if value]
    if not given:
        return (ALL, "")
    if len(given) == 1 and given[0][0] in KEPT_FILTERS:
        name, value = given[0]
        return (name, str(value))
    return None


def stored_count(index_id: int, counts: str | None, key: tuple[str, str]) -> int | None:
    """The kept total under ``key`` from the row's counts as the list query read them (None: the
    row is not current, or keeps no total for that value)."""
    if counts is None:
        return None
    try:
        found = json.loads(counts)
        name, value = key
        total = found[ALL] if name == ALL else found[name].get(value)
        if total is None:
            return None
        if type(total) is not int or total < 0:
            raise ValueError("a total is not a count")
        return total
    except (ValueError, KeyError, TypeError, AttributeError):
        key = (index_id, hash(counts))  # as written: counted again, it is another row
        log_unreadable(logger, key, "project index %s: unreadable counts, counted live", index_id)
        return None


def _counted(index: ProjectIndexPage) -> dict[str, Any]:
    """The index's totals, counted with the same selection (and values) the page lists."""
    values: dict[str, list[Any]] = {
        "street": list(Street.objects.values_list("code", flat=True)),
        "plan_year": project_selectors.plan_years(),
        "status": list(ProjectStatus.values),
        "category": list(WorkCategory.values),
    }
    counts: dict[str, Any] = {ALL: index.filtered_projects().count()}
    for name, choices in values.items():
        counts[name] = {str(value): index.filtered_projects(**{name: value}).count() for value in choices}
    return counts


def index_counts_rebuild(now: datetime | None = None) -> int:
    """Count every project index's totals and keep them; returns how many rows were written (one a
    change marked stale meanwhile is left to that change's job)."""
    from .models import ProjectIndexCounts, ProjectIndexPage
    from .services import project_index_counts_ensure, project_index_counts_store

    now = now or timezone.now()
    # The rows first, then their generations before anything is counted: a change committed after
    # this read bumps them, and the conditional write then leaves them stale for its own job.
    project_index_counts_ensure()
    generations = dict(ProjectIndexCounts.objects.values_list("index_id", "generation"))
    written = 0
    for index in ProjectIndexPage.objects.filter(pk__in=generations):
        counts = json.dumps(_counted(index), sort_keys=True)
        written += project_index_counts_store(
            index_id=index.pk,
            generation=generations[index.pk],
            version=INDEX_COUNTS_VERSION,
            counts=counts,
            valid_until=next_midnight(now),
        )
    return written


def index_counts_refresh(now: datetime | None = None) -> int:
    """Count again when any index's row is missing, stale, outdated or past its time (the clock
    runs this); returns how many rows were written."""
    from .models import ProjectIndexCounts, ProjectIndexPage

    now = now or timezone.now()
    current = ProjectIndexCounts.objects.filter(
        Q(version=INDEX_COUNTS_VERSION) & Q(built_generation=F("generation")) & Q(valid_until__gt=now)
    )
    if current.count() == ProjectIndexPage.objects.count():
        return 0
    return index_counts_rebuild(now)


def _tasks() -> Any:
    from . import tasks  # the tasks module imports this one

    return tasks


def _mark_stale(_ids: list[int] | None) -> None:
    from .services import project_index_counts_mark_stale

    project_index_counts_mark_stale()


# Once per transaction, after its commit, however many changes it made: the rows marked stale,
# then one job that counts every index again.
rebuilds = RebuildAfterCommit(
    "project index counts",
    rebuild=lambda ids: _tasks().index_counts_rebuild.enqueue(),
    refresh=lambda: _tasks().index_counts_rebuild.enqueue(),
    mark=_mark_stale,
    unmarked=lambda ids: _tasks().index_counts_rebuild.enqueue(force=True),
)


def index_counts_after_change(change: Change, project_ids: set[int]) -> None:
    """A change the index shows (renovation.public.cache.on_pages_changed): once its transaction
    commits, the rows are marked stale and one job counts again (``rebuilds``)."""
    if change in INDEX_CHANGES:
        rebuilds.add(None)
