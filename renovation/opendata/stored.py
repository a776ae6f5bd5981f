"""Each project's open-data texts, encoded once by the task queue and streamed by the endpoints.

``/projects/oc4ids.json`` and ``/api/v1/projects/`` cost a batch of queries and some thousands of
serializer calls per page to encode a hundred projects. Like the OCDS releases
(``TenderRelease.text``) they send instead, per project, JSON text kept in ProjectOpenData: the
OC4IDS project and the API's representation, each byte for byte what the live code encodes. A
project's feed reads its entries, per language, from the same row instead of its change log.

The rows follow the project page's summary (cms.summary): a change that alters them (every
``Change`` whose pages in ``CHANGE_PAGES`` include ``open_data`` or ``api``, for the projects it
names; a change of places or a plan import: every project) marks them stale right after its
commit, not inside its transaction (``generation`` bumped, ``open_data_after_change``, registered
with the public page cache); then one job per transaction
(``renovation.opendata.tasks.project_open_data_rebuild``) encodes them again, unless an earlier job
of the same burst already did (``project_open_data_rebuild_stale``), and writes them only if no
later change bumped the generation meanwhile. The clock job
``project-open-data-refresh`` rebuilds what midnight changes (the API's lateness counts days) and
whatever a lost job or a deploy left behind. Missing, stale, of another ``build`` or past its time,
a row is ignored and the endpoint encodes that project live: a GET never writes.

Each text is signed with the site's key (``signatures``, renovation.public.signed) over the
project, the build and the text: a text altered by hand in the database, or copied from another
project, is not sent; the endpoint encodes that project live and logs the row once per process.

The OC4IDS project links the project's page and the tenders' releases by absolute URL, on the
host the request came to: the stored text holds ``SITE_MARK`` (a control character, which JSON
always escapes) where the site's address goes, and the view puts the request's own in its place.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import django
import rest_framework
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri

from renovation.jobs.queue import RebuildAfterCommit
from renovation.projects.models import Project
from renovation.projects.selectors import project_ids_or_every
from renovation.public.build import source_digest
from renovation.public.cache import CHANGE_PAGES, Change, next_midnight
from renovation.public.prepared import PreparedRows
from renovation.public.signed import is_signed, key_digest, signature
from renovation.public.unreadable import log_unreadable
from renovation.reports.exports import public_project_rows

from . import bulk, oc4ids
from .feeds import FeedEntry, project_feed_entries
from .models import ProjectOpenData
from .services import project_open_data_ensure, project_open_data_mark_stale, project_open_data_store

logger = logging.getLogger(__name__)

# Bump when what the rows hold changes shape: older rows are then ignored and rebuilt.
OPEN_DATA_VERSION = 3  # 3: the texts are signed
# The changes that alter the texts: those whose pages are open data or the API, from the one list.
OPEN_DATA_CHANGES = frozenset(change for change, pages in CHANGE_PAGES.items() if {"open_data", "api"} & set(pages))
# Changes that name no project and may alter every text (street names and codes, a plan import).
OPEN_DATA_CHANGES_EVERYWHERE = frozenset({Change.PLACE, Change.PLAN})
# Where the site's address goes in a stored OC4IDS text, and how JSON writes it there.
SITE_MARK = "\x1f"
_SITE_MARK_JSON = json.dumps(SITE_MARK)[1:-1]
_SITE_MARK_JSON_BYTES = _SITE_MARK_JSON.encode()
# Projects encoded per batch (a fixed number of queries each).
BATCH = oc4ids.PAGE_SIZE


# --- reading -------------------------------------------------------------------------------------


def is_current(
    *,
    generation: int | None,
    built_generation: int | None,
    build: str | None,
    valid_until: datetime | None,
    now: datetime,
) -> bool:
    """Whether a row's texts may be sent now (a missing row reads as all None)."""
    return (
        generation is not None
        and generation == built_generation
        and build == current_build()
        and valid_until is not None
        and valid_until > now
    )


def _current_row(project: Project, now: datetime) -> ProjectOpenData | None:
    """The project's row when its texts may be sent now (``project`` loaded with its
    ``open_data_text``); None when it is missing or not current."""
    try:
        row = project.open_data_text
    except Project.open_data_text.RelatedObjectDoesNotExist:
        return None
    fit = is_current(
        generation=row.generation,
        built_generation=row.built_generation,
        build=row.build,
        valid_until=row.valid_until,
        now=now,
    )
    return row if fit else None


def _signed(kind: str, project_id: int, build: str | None, text: str, given: str | None) -> bool:
    """Whether the text kept as ``kind`` is this site's for this project and build; a text that is
    not is logged once per row and build in each process."""
    if is_signed(given, f"open data {kind}", (project_id, build or ""), text):
        return True
    log_unreadable(
        logger,
        (kind, project_id, build, given),
        "project %s: its %s text is not signed by this site, read live",
        project_id,
        kind,
    )
    return False


def _sign(kind: str, project_id: int, build: str, text: str) -> str:
    return signature(f"open data {kind}", (project_id, build), text)


def stored_api_text(project: Project, now: datetime) -> str | None:
    """The project's API text, when current and signed (``project`` loaded with its
    ``open_data_text``)."""
    row = _current_row(project, now)
    if row is None or not row.api:
        return None
    return row.api if _signed("api", project.pk, row.build, row.api, row.signatures.get("api")) else None


OC4IDS_ROW_FIELDS: tuple[Any, ...] = (
    "pk",
    "open_data_text__oc4ids",
    KeyTextTransform("oc4ids", "open_data_text__signatures"),  # as text: no JSON decoding
    "open_data_text__generation",
    "open_data_text__built_generation",
    "open_data_text__build",
    "open_data_text__valid_until",
)
# Every project's row in the order of /projects/oc4ids.json, compiled once per process; the texts
# are read as UTF-8 bytes and sent as they are read (renovation/public/prepared.py). The page is
# cut as the database walks the primary keys of both tables in order (an index serves it), so
# only the page's rows are read: unlike the CSV's order below, it needs no ``paged`` query.
_OC4IDS_PAGE = PreparedRows(lambda: Project.objects.order_by("pk").values_list(*OC4IDS_ROW_FIELDS))


def oc4ids_page(number: int, now: datetime) -> tuple[dict[int, bytes | None], bool]:
    """Page ``number`` of ``/projects/oc4ids.json``: each project's stored OC4IDS text with its
    site mark, as UTF-8 bytes, when current and signed (None: to be encoded live), in the page's
    order; and whether another page follows. One query."""
    start = (number - 1) * oc4ids.PAGE_SIZE
    rows = _OC4IDS_PAGE.rows(limit=oc4ids.PAGE_SIZE + 1, offset=start, utf8=(1,))
    kept = {row[0]: _row_text("oc4ids", row, now) for row in rows[: oc4ids.PAGE_SIZE]}
    return kept, len(rows) > oc4ids.PAGE_SIZE


def _row_text(kind: str, row: Sequence[Any], now: datetime) -> bytes | None:
    """The text of a row ``(pk, text, signature, generation, built_generation, build,
    valid_until)`` kept as ``kind``, text as UTF-8 bytes, when current, signed and not empty."""
    pk, text, given, generation, built_generation, build, valid_until = row
    fit = is_current(
        generation=generation, built_generation=built_generation, build=build, valid_until=valid_until, now=now
    )
    return text if fit and text and _signed(kind, pk, build, text, given) else None


def stored_feed_entries(project: Project, now: datetime) -> list[FeedEntry] | None:
    """The project's feed entries in the active language, when current (``project`` loaded with
    its ``open_data_text``)."""
    row = _current_row(project, now)
    if row is None or not row.feed or not _signed("feed", project.pk, row.build, row.feed, row.signatures.get("feed")):
        return None
    try:
        entries = json.loads(row.feed)[translation.get_language()]
        return [FeedEntry(datetime.fromisoformat(when), *fields) for when, *fields in entries]
    except (ValueError, KeyError, TypeError):
        key = ("feed", project.pk, row.build, row.built_generation)
        log_unreadable(logger, key, "project %s: unreadable feed entries, read live", project.pk)
        return None


def site_address(request: HttpRequest) -> bytes:
    """The site's address as ``build_absolute_uri`` writes it before a path, escaped as in JSON,
    in UTF-8."""
    return json.dumps(request.build_absolute_uri("/")[:-1], ensure_ascii=False)[1:-1].encode()


def oc4ids_fill(text: bytes, address: bytes) -> bytes:
    """A stored OC4IDS text with the site's address (``site_address``) in place of its marks."""
    return text.replace(_SITE_MARK_JSON_BYTES, address)


def _page_of(order: QuerySet[Project], page: Callable[[QuerySet], QuerySet]) -> QuerySet[Project]:
    """The projects of one page of ``order``, in its order. The ledger's order joins the places
    and no index serves it, so the database sorts every project to find a page: the page is cut
    from their keys and what orders them alone, and the texts (read out of JSON, decompressed row
    by row) are read for the page's rows only, not for every project sorted."""
    return order.filter(pk__in=page(order.values("pk")))


def _csv_rows(language: str) -> PreparedRows:
    # Prepared on the server: parsing and planning the query's seven joins cost PostgreSQL more
    # than running it.
    return PreparedRows.paged(
        lambda page: _page_of(bulk.project_order(), page).values_list(
            "pk",
            KeyTextTransform(language, "open_data_text__csv"),
            KeyTextTransform(f"csv:{language}", "open_data_text__signatures"),
            *OC4IDS_ROW_FIELDS[3:],  # the row's generations, build and time
        ),
        on_server=True,
    )


# Each language's page of /open-data/projects.csv: the stored lines as UTF-8 bytes, and what tells
# whether each may be sent; compiled once per process.
_CSV_PAGES = {code: _csv_rows(code) for code, _name in settings.LANGUAGES}


def projects_csv_page(language: str, now: datetime, number: int) -> tuple[list[bytes], bool]:
    """Page ``number`` of ``/open-data/projects.csv`` in ``language`` (one of ``LANGUAGES``) and
    whether another follows: the header, then each project's stored line in the ledger's order,
    byte for byte what ``bulk.csv_page`` writes, in UTF-8. The projects without a current, signed
    line are encoded live (never stored here: a GET never writes). One query while every line is
    current."""
    dataset = bulk.DATASETS["projects"]
    with translation.override(language):
        header = bulk.csv_header(dataset)
    start = (number - 1) * bulk.CSV_PAGE_SIZE
    prepared = _CSV_PAGES.get(language) or _csv_rows(language)
    rows = prepared.rows(limit=bulk.CSV_PAGE_SIZE + 1, offset=start, utf8=(1,))
    kept = {row[0]: _row_text(f"csv:{language}", row, now) for row in rows[: bulk.CSV_PAGE_SIZE]}
    missing = [pk for pk, line in kept.items() if line is None]
    live = {}
    if missing:
        with translation.override(language):
            live = bulk.project_csv_lines(public_project_rows(Project.objects.filter(pk__in=missing)))
    lines = [
        line if line is not None else live[pk].encode() for pk, line in kept.items() if line is not None or pk in live
    ]
    # A project missing from ``live`` was deleted since the page was read.
    return [header.encode(), *lines], len(rows) > bulk.CSV_PAGE_SIZE


# --- encoding ------------------------------------------------------------------------------------


def oc4ids_marked_text(project: Project, sources: oc4ids.ProjectSources) -> str:
    """The project's OC4IDS text with ``SITE_MARK`` for the site's address; empty when the mark
    would not be unambiguous (a text of the project that holds the mark itself, or a path that
    ``build_absolute_uri`` would not simply append): the endpoint then encodes it live."""
    urls: set[str] = set()

    def absolute(path: str) -> str:
        if not path.startswith("/") or path.startswith("//") or "/./" in path or "/../" in path:
            raise _NotSimple(path)
        urls.add(SITE_MARK + iri_to_uri(path))
        return SITE_MARK + iri_to_uri(path)

    try:
        document = oc4ids.project_document(project, sources, absolute)
    except _NotSimple:
        return ""
    if not _marks_only_in(document, urls):
        return ""
    text = oc4ids.project_text(document)
    # Every "\u001f" of the text must be a mark: a text of the project that holds a backslash and
    # "u001f" is written "\\u001f" in JSON, and filling that in would break the JSON.
    return text if text.count(_SITE_MARK_JSON) == _mark_count(document) else ""


class _NotSimple(Exception):
    pass


def _marks_only_in(value: Any, urls: set[str]) -> bool:
    """Whether every string of ``value`` that holds ``SITE_MARK`` is one of ``urls``."""
    if isinstance(value, str):
        return SITE_MARK not in value or value in urls
    if isinstance(value, dict):
        return all(_marks_only_in(key, urls) and _marks_only_in(item, urls) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_marks_only_in(item, urls) for item in value)
    return True


def _mark_count(value: Any) -> int:
    """How many times ``SITE_MARK`` occurs in the strings of ``value``."""
    if isinstance(value, str):
        return value.count(SITE_MARK)
    if isinstance(value, dict):
        return sum(_mark_count(key) + _mark_count(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return sum(_mark_count(item) for item in value)
    return 0


def project_csv_texts(project_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each of these projects' line of ``projects.csv`` in every language (two or three queries)."""
    rows = list(public_project_rows(Project.objects.filter(pk__in=project_ids)))
    by_project: dict[int, dict[str, str]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for pk, line in bulk.project_csv_lines(rows).items():
                by_project.setdefault(pk, {})[code] = line
    return by_project


def feed_text(project: Project) -> str:
    """The project's feed entries in every language, as JSON text."""
    by_language = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            by_language[code] = [
                [entry.when.isoformat(), entry.title, entry.description, entry.link, entry.guid, entry.category]
                for entry in project_feed_entries(project)
            ]
    return json.dumps(by_language, ensure_ascii=False)


def project_open_data_rebuild(project_ids: Iterable[int], now: datetime | None = None) -> int:
    """Encode the texts of these projects again; returns how many rows were written (one that a
    change marked stale while it was encoded is left to that change's job)."""
    from renovation.api.projects import project_api_texts, projects_for_api

    now = now or timezone.now()
    ids = set(project_ids)
    if not ids:
        return 0
    # Every project gets its row first, then its generation is read before anything the texts are
    # encoded from: a change committed after this read bumps it, and the write then leaves it.
    project_open_data_ensure(project_ids=ids)
    generations = dict(ProjectOpenData.objects.filter(project_id__in=ids).values_list("project_id", "generation"))
    build = current_build()
    valid_until = next_midnight(now)
    today = timezone.localdate(now)
    count = 0
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        projects = list(oc4ids.public_projects().filter(pk__in=batch))
        sources = oc4ids.project_sources(projects)
        api_texts = project_api_texts(list(projects_for_api().filter(pk__in=batch)), today)
        csv_texts = project_csv_texts(batch)
        for project in projects:
            texts = {
                "oc4ids": oc4ids_marked_text(project, sources),
                "api": api_texts[project.pk],
                "feed": feed_text(project),
            }
            csv = csv_texts.get(project.pk, {})
            signed = {**texts, **{f"csv:{code}": line for code, line in csv.items()}}
            count += project_open_data_store(
                project_id=project.pk,
                generation=generations.get(project.pk),
                build=build,
                **texts,
                csv=csv,
                signatures={kind: _sign(kind, project.pk, build, text) for kind, text in signed.items() if text},
                valid_until=valid_until,
            )
    return count


def project_open_data_rebuild_stale(project_ids: Iterable[int], now: datetime | None = None) -> int:
    """Encode again those of these projects' texts that are not current (missing, stale, of another
    build, past their time), as the job does; returns how many rows were written. A burst of changes
    to a project queues one job per transaction: the first to run after the last of them was
    marked encodes what all of them committed, and the others find the row current and encode
    nothing (one query). A change committed after this read marks the row after its commit and
    queues its own job, which finds it stale."""
    now = now or timezone.now()
    ids = set(project_ids)
    if not ids:
        return 0
    build = current_build()
    current = set(
        ProjectOpenData.objects.filter(
            project_id__in=ids, build=build, built_generation=F("generation"), valid_until__gt=now
        ).values_list("project_id", flat=True)
    )
    return project_open_data_rebuild(ids - current, now)


def project_open_data_refresh(now: datetime | None = None) -> int:
    """Encode again every project's texts that are missing, stale, of another build or past their
    time (the clock runs this); returns how many were written."""
    now = now or timezone.now()
    due = Project.objects.filter(
        Q(open_data_text__isnull=True)
        | Q(open_data_text__valid_until__lte=now)
        | ~Q(open_data_text__build=current_build())
        | ~Q(open_data_text__built_generation=F("open_data_text__generation"))
    ).values_list("pk", flat=True)
    return project_open_data_rebuild(list(due), now)


@functools.cache
def current_build() -> str:
    """A digest of what encodes the texts: this module's version, the code and compiled
    translations of renovation, the settings the documents show, the libraries that encode
    them and the key that signs them. A deploy that changes any of them makes every row stale
    (the clock rebuilds them)."""
    digest = hashlib.sha256(f"{OPEN_DATA_VERSION}\n{django.__version__}\n{rest_framework.VERSION}\n".encode())
    for name in (
        "OC4IDS_PROJECT_PREFIX",
        "OC4IDS_PUBLIC_AUTHORITY",
        "OCDS_PUBLISHER_NAME",
        "TIME_ZONE",
        "LANGUAGE_CODE",
        "REST_FRAMEWORK",
    ):
        digest.update(f"{name}={getattr(settings, name, None)!r}\n".encode())
    digest.update(source_digest(("renovation",), (".py", ".mo")))
    digest.update(key_digest())
    return digest.hexdigest()


# --- marking stale -------------------------------------------------------------------------------


def _tasks() -> Any:
    from . import tasks  # the tasks module imports this one

    return tasks


# Once per transaction, after its commit, however many changes it made: the texts marked stale,
# then one job that encodes them again.
rebuilds = RebuildAfterCommit(
    "project open data",
    rebuild=lambda ids: _tasks().project_open_data_rebuild.enqueue(project_ids=ids),
    refresh=lambda: _tasks().project_open_data_refresh.enqueue(),
    mark=lambda ids: project_open_data_mark_stale(project_ids=ids),
    unmarked=lambda ids: _tasks().project_open_data_rebuild.enqueue(project_ids=project_ids_or_every(ids), force=True),
)


def open_data_after_change(change: Change, project_ids: set[int]) -> None:
    """A change that alters the texts of the projects it names (every project's: places, a plan
    import; none: a change naming no project) reported (renovation.public.cache.on_pages_changed):
    once its transaction commits, they are marked stale and one job encodes them again
    (``rebuilds``). Marked after the commit, not inside the transaction, where their rows stayed
    locked until it ended."""
    if change in OPEN_DATA_CHANGES_EVERYWHERE:
        rebuilds.add(None)
    elif change in OPEN_DATA_CHANGES and project_ids:  # a change naming no project changes none
        rebuilds.add(project_ids)
