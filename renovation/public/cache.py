"""The shared cache of anonymous public pages and open data, and the one list of what invalidates them.

A page anyone can see is cacheable: a GET never writes, and what changes it invalidates it after
commit. Each public page declares, before it reads its data, the *scopes* it shows
(``depends_on``): ``home``, ``index``, ``notices``, ``streets``, ``tenders``, ``ocds``, ``open_data``
(bulk files, OC4IDS, the catalogue), ``api`` (/api/v1/ and Open311 for callers without a key), one
project (``project:<id>``: its page, change log and feed) or one tender (``tender:<id>``); every
page also depends on ``site``. The scope ``routing`` is no page's: it versions each process's
memo of the page tree's routes (cms/routing.py).
Each scope has a version counter in the cache. A stored page remembers the versions it was
rendered under and is served only while they are all unchanged; a service that changes something
public calls ``pages_changed(Change.X, ...)``, which bumps the scopes that ``CHANGE_PAGES`` lists
for that kind of change once its transaction commits. Nothing is ever deleted: a stale entry just
stops matching and expires.

This module is platform code: it imports no domain app, so every app (and cms) may call it.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone, translation


class Change(enum.StrEnum):
    """Every kind of public change; each service that makes one reports it with ``pages_changed``."""

    PLACE = "place"  # street, community, neighbourhood: names on every page
    PLAN = "plan"  # an annual plan import: many projects at once
    PROJECT = "project"
    WORK_ITEM = "work_item"
    PROGRESS = "progress"  # a confirmed progress report
    PROGRESS_PHOTO = "progress_photo"  # photos of the works: public copies made, or a photo withdrawn
    LEDGER = "ledger"  # a ledger entry recorded, edited, corrected or imported
    DISCLOSURE = "disclosure"  # a quarter published
    TENDER = "tender"  # any tender step, contract or change order
    CONSULTATION = "consultation"  # intents, votes, decision items, deliberations, satisfaction
    SITE_ISSUE = "site_issue"  # accepted onwards: public issues and response times
    COMMENT = "comment"
    EVALUATION = "evaluation"  # a month's street evaluation frozen
    PAGE = "page"  # a page published, unpublished, moved or deleted in Wagtail
    SITE = "site"  # the home or index page itself edited in Wagtail, a move, a restriction, a Site


# change → pages: the one place that says which public pages show what. "project" and "tender"
# stand for the page of the project (or tender) the change belongs to.
CHANGE_PAGES: dict[Change, tuple[str, ...]] = {
    Change.PLACE: ("site",),
    Change.PLAN: ("site",),
    Change.PROJECT: ("home", "index", "project", "streets", "tenders", "open_data", "api"),
    Change.WORK_ITEM: ("home", "index", "project", "streets", "open_data", "api"),
    Change.PROGRESS: ("home", "index", "project", "streets", "open_data", "api"),
    Change.PROGRESS_PHOTO: ("project",),
    Change.LEDGER: ("home", "project", "open_data", "api"),
    Change.DISCLOSURE: ("home", "project", "open_data", "api"),
    # A tender step can move its project's status (announced → tendering, contract → works).
    Change.TENDER: ("home", "index", "project", "streets", "tenders", "tender", "ocds", "open_data", "api"),
    Change.CONSULTATION: ("home", "project", "streets", "api"),
    Change.SITE_ISSUE: ("project", "streets", "open_data", "api"),
    Change.COMMENT: ("project",),
    Change.EVALUATION: ("streets",),
    # "routing": not a page but each process's memo of the page tree's routes (cms/routing.py).
    Change.PAGE: ("home", "index", "project", "notices", "routing"),
    Change.SITE: ("site", "routing"),
}

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[Exception], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency; locmem needs none
        return ()
    return (RedisError,)


# What a cache backend raises when its server is away (redis-py raises redis.RedisError, which
# derives from Exception only, or OSError): pages are then served fresh and not stored.
CACHE_DOWN: tuple[type[Exception], ...] = (OSError, *_redis_errors())

SCOPE_PREFIX = "public:v:"
ENTRY_PREFIX = "public:page:"
SITE = "site"


def cache_backend():
    return caches[settings.PUBLIC_CACHE_ALIAS]


def scopes_for(change: Change, *, project_id: int | None = None, tender_id: int | None = None) -> list[str]:
    """The scopes a change touches, from ``CHANGE_PAGES``."""
    scopes = []
    for page in CHANGE_PAGES[change]:
        if page == "project":
            if project_id is not None:
                scopes.append(f"project:{project_id}")
        elif page == "tender":
            if tender_id is not None:
                scopes.append(f"tender:{tender_id}")
        else:
            scopes.append(page)
    return scopes


def pages_changed(
    change: Change,
    *,
    project_id: int | None = None,
    project_ids: Iterable[int] = (),
    tender_id: int | None = None,
    tender_ids: Iterable[int] = (),
) -> None:
    """Invalidate every page that shows this change, once the current transaction commits
    (at once outside one). A change that rolls back invalidates nothing."""
    scopes: set[str] = set(scopes_for(change, project_id=project_id, tender_id=tender_id))
    for other in project_ids:
        scopes.update(scopes_for(change, project_id=other))
    for other in tender_ids:
        scopes.update(scopes_for(change, tender_id=other))
    projects = {*project_ids, *([project_id] if project_id is not None else [])}
    for listener in _listeners:
        listener(change, projects)
    transaction.on_commit(lambda: scopes_bump(scopes))


# Work that follows a public change (cms keeps each project page's summary this way). A listener
# is called when the change is reported, inside its transaction, and should only note what to do:
# what it registers with ``transaction.on_commit`` (marking stored renderings stale and queueing
# their rebuild: renovation.jobs.queue.RebuildAfterCommit) runs after the commit but before this
# change's pages are invalidated, so no page is cached from what it replaces under the new scope.
ChangeListener = Callable[[Change, set[int]], None]
_listeners: list[ChangeListener] = []


def on_pages_changed(listener: ChangeListener) -> None:
    """Call ``listener(change, project_ids)`` for each change reported (AppConfig.ready)."""
    if listener not in _listeners:
        _listeners.append(listener)


def scopes_bump(scopes: Iterable[str]) -> None:
    try:
        _bump(scopes)
    except CACHE_DOWN:  # the change is committed: a cache outage must not turn it into an error
        logger.exception("public page cache: could not invalidate %s", sorted(scopes))


def _bump(scopes: Iterable[str]) -> None:
    backend = cache_backend()
    for scope in scopes:
        key = SCOPE_PREFIX + scope
        # A fresh counter starts at the clock, so a counter lost with the cache (restart, eviction)
        # can never come back at a value an old entry was stored under.
        backend.add(key, time.time_ns(), timeout=None)
        try:
            backend.incr(key)
        except ValueError:  # evicted between add and incr
            backend.set(key, time.time_ns(), timeout=None)


def scope_versions(scopes: Iterable[str]) -> dict[str, int]:
    backend = cache_backend()
    keys = [SCOPE_PREFIX + scope for scope in scopes]
    found = backend.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    for key, value in missing.items():
        if backend.add(key, value, timeout=None):
            found[key] = value
        else:
            found[key] = backend.get(key, value)
    return {key.removeprefix(SCOPE_PREFIX): found[key] for key in keys}


@dataclass
class Declaration:
    """What a page being rendered said about itself, read by the middleware when it stores it."""

    versions: dict[str, int]
    until: datetime
    gate: str | None = None


# A gate runs before a stored page is served, for pages whose view checks something per request
# that the stored copy would skip (the API's rates): True serves the stored page, False renders
# it fresh (the view then checks and answers), a response is sent instead. Apps register theirs.
Gate = Callable[[HttpRequest], "bool | HttpResponseBase"]
GATES: dict[str, Gate] = {}


def gate_register(name: str, gate: Gate) -> None:
    GATES[name] = gate


def depends_on(request: HttpRequest, *scopes: str, until: datetime | None = None, gate: str | None = None) -> None:
    """Declare that the page being rendered shows ``scopes`` and is true until ``until`` (the
    next moment the clock alone changes it: midnight for lateness, an opening time for a tender);
    ``gate``: a registered gate (``gate_register``) every later request passes before it is
    served the stored page.

    Call it before reading the page's data: the versions read here are the ones the stored page
    is served under, so a change committed while the page renders makes it stale at once."""
    request.public_page = True  # signed-in visitors get it fresh and marked private
    if not getattr(request, "public_cache_lookup", False):
        return
    limit = timezone.now() + timedelta(seconds=settings.PUBLIC_CACHE_SECONDS)
    until = min(until, limit) if until is not None else limit
    previous: Declaration | None = getattr(request, "public_cache", None)
    wanted = {SITE, *scopes}
    if previous is not None:
        wanted -= set(previous.versions)
        until = min(until, previous.until)
    versions = dict(previous.versions) if previous is not None else {}
    try:
        versions.update(scope_versions(wanted))
    except CACHE_DOWN:
        logger.warning("public page cache unavailable: %s will not be stored", request.path, exc_info=True)
        request.public_cache_lookup = False
        request.public_cache = None
        return
    if gate is None and previous is not None:
        gate = previous.gate
    request.public_cache = Declaration(versions=versions, until=until, gate=gate)


def next_midnight(now: datetime | None = None) -> datetime:
    """The next local midnight: pages that show lateness or "today" change then."""
    local = timezone.localtime(now)
    tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return tomorrow


def entry_key(request: HttpRequest) -> str:
    """Keyed by URL (path and query) and language; the host is part of the URL."""
    raw = f"{request.get_host()}|{translation.get_language()}|{request.get_full_path()}"
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()
