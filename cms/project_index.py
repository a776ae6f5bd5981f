"""The project index's list and filter form at a fixed cost, whatever the number of projects.

One query reads one page of the projects the filters select, ordered, with how many there are, each
with its page's address and its stored card (cms.summary): the database walks the projects in the
list's order (the index ``project_list_order``) and stops at the page shown, reading each walked
project's page and each listed project's card by the project's key. How many are selected is the
total kept for the index and for each filter value alone (cms.index_counts: counted again by a job
after each change the index shows), read in a subquery of its own; for a search, several filters
at once, or while the kept totals are stale, a count over the selected projects in that subquery
instead. The SQL is the ORM's (``ProjectIndexPage.listing_queryset``), compiled once per process
and set of filters given and run with each request's values (renovation/public/prepared.py).
Django's Paginator reads it through ``ProjectRows``: the page asked for comes with the total; a page
out of range (the paginator then shows the last one) costs a count and that page on their own.

A card is inserted as stored when its summary is fit to show now and signed by this site; else it
is rendered live from the selectors (``stored_card`` logs an unreadable one: never a 500). Each
card links to its page at the index's own address followed by the page's slug, as Wagtail writes
a child page's address (the index's ``get_url`` once, not each card's).

The filter form's choices (the plan years of every project, the streets) change with projects and
places only: they are read once per process and kept (renovation/public/kept.py) while the public
cache's ``index`` and ``site`` versions stay where they were (a project, a plan import or a place
bumps one of them after commit; renovation/public/cache.py) and at most ``PUBLIC_CACHE_SECONDS`` (a change no service
reported shows no later than a cached page would). Without the shared cache they are read for each
request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls.resolvers import RFC3986_SUBDELIMS
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from renovation.places.models import Street
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project, ProjectStatus, WorkCategory, WorkItem
from renovation.public.cache import SITE
from renovation.public.kept import Kept
from renovation.public.prepared import PreparedRows

from . import index_counts, summary

if TYPE_CHECKING:
    from .models import ProjectIndexPage

# What a row of the list holds, in this order (the summary's columns as the card check reads them).
SUMMARY_FIELDS = ("version", "build", "generation", "built_generation", "valid_until", "card", "card_signature")
LIST_FIELDS = ("id", "page_url_path", "selected", *(f"summary_{name}" for name in SUMMARY_FIELDS))
# The filters' values as the list's query takes them (renovation.projects.selectors.project_filter).
FILTER_FIELDS = {
    "street": Street._meta.get_field("code"),
    "plan_year": Project._meta.get_field("plan_year"),
    "status": Project._meta.get_field("status"),
    "category": WorkItem._meta.get_field("category"),
    "search": Project._meta.get_field("name"),  # inside the LIKE patterns of ``icontains``
}
# A bound on the list queries one process keeps (one per index page; a site has one).
_LISTINGS_LIMIT = 16
# One card in the list, as the template's loop wrote it (the test compares them byte for byte).
_ITEM = '\n  <li class="project-card">\n    <a href="{url}">{card}</a>\n  </li>\n  '
# The scopes whose versions keep the filter form's choices (CHANGE_PAGES: projects bump "index",
# plan imports and places "site").
SCOPES = ("index", SITE)
# Where a row holds how many are selected (a count, or the kept counts' text).
_SELECTED = LIST_FIELDS.index("selected")
# A page number past this is not read with the count (its offset would overflow a query).
_LARGEST_GUESS = 10**6


@dataclass(frozen=True)
class Card:
    """A project in the list: its page's address, its card, and the card as stored (None when
    it was rendered live)."""

    project_id: int
    url: str
    html: SafeString
    card_html: SafeString | None


@dataclass(frozen=True)
class StreetChoice:
    code: str
    name: str
    values: tuple[tuple[str, ...], tuple[Any, ...]]  # the row, to make the Street of the follow switch


@dataclass(frozen=True)
class Choices:
    streets: tuple[StreetChoice, ...]
    plan_years: tuple[int, ...]
    # The streets' and years' <option>s as ``options`` wrote them, by chosen value.
    written: dict[tuple[Any, ...], SafeString] = field(default_factory=dict, compare=False, repr=False)

    def street(self, code: str | None) -> Street | None:
        for choice in self.streets:
            if choice.code == code:
                names, values = choice.values
                return Street.from_db(DEFAULT_DB_ALIAS, list(names), list(values))
        return None


@dataclass(frozen=True)
class Listing:
    """The index's list query, as it counts the selected projects (``live``) and as it reads their
    kept total (``kept``)."""

    live: PreparedRows
    kept: PreparedRows


_listings: dict[tuple[int, str, int], Listing] = {}


def forget() -> None:
    """Drop this process's choices and kept SQL (a new process starts so)."""
    _choices.forget()
    _listings.clear()
    _CONSTANT_OPTIONS.clear()


def _listing(index: ProjectIndexPage) -> Listing:
    """The index's list queries, compiled once per process and set of filters given
    (renovation/public/prepared.py)."""
    key = (index.pk, index.path, index.depth)
    listing = _listings.get(key)
    if listing is None:
        from .models import ProjectIndexCounts

        if len(_listings) >= _LISTINGS_LIMIT:
            _listings.clear()
        # The moment the kept totals must be current at, as the kept query takes it.
        kept_after = ProjectIndexCounts._meta.get_field("valid_until")
        listing = _listings[key] = Listing(
            live=PreparedRows.optional(index.listing_queryset, **FILTER_FIELDS),
            kept=PreparedRows.optional(index.listing_queryset, **FILTER_FIELDS, kept_after=kept_after),
        )
    return listing


def filter_choices(request: HttpRequest) -> Choices:
    """The filter form's streets and plan years, kept by this process while they are current
    (renovation/public/kept.py)."""
    return _choices.get(request)


def _read_choices() -> Choices:
    names = tuple(field.attname for field in Street._meta.concrete_fields)
    streets = tuple(
        StreetChoice(street.code, street.name, (names, tuple(getattr(street, name) for name in names)))
        for street in Street.objects.all()
    )
    return Choices(streets=streets, plan_years=tuple(project_selectors.plan_years()))


_choices: Kept[Choices] = Kept(_read_choices, *SCOPES)


class ProjectRows:
    """The selected projects' rows for Django's Paginator: ``count()`` reads the page it will
    most likely be asked for with the count, in one query: the kept total where there is one
    (cms.index_counts), else counted in a subquery of the list's query."""

    def __init__(
        self, index: ProjectIndexPage, filters: dict[str, Any], page: str | None, per_page: int, now: datetime
    ) -> None:
        self.index = index
        self.values = {name: value for name, value in filters.items() if value}  # as project_filter reads them
        self.listing = _listing(index)
        self.key = index_counts.kept_key(self.values)
        self.now = now
        self.per_page = per_page
        self.guess = _page_number(page)
        self._count: int | None = None
        self._read: tuple[int, list[tuple[Any, ...]]] | None = None  # offset, rows (up to per_page)

    def _rows(self, offset: int, limit: int, *, counted: bool) -> list[tuple[Any, ...]]:
        """A page of rows; ``counted``: with the count where no total is kept."""
        if counted and self.key is None:
            return self.listing.live.rows(limit=limit, offset=offset, **self.values)
        return self.listing.kept.rows(limit=limit, offset=offset, kept_after=self.now, **self.values)

    def count(self) -> int:
        if self._count is None:
            offset = (self.guess - 1) * self.per_page
            in_range = self.guess <= _LARGEST_GUESS
            rows = self._rows(offset, self.per_page, counted=True) if in_range else []
            if rows:
                self._read = (offset, rows)
                selected = rows[0][_SELECTED]
                if self.key is not None:  # the kept counts, None while they are not current
                    selected = index_counts.stored_count(self.index.pk, selected, self.key)
                # Not kept (yet): counted on its own, until the job counts again after a change.
                self._count = selected if selected is not None else self._counted()
            elif offset == 0 and in_range:
                self._count = 0
                self._read = (0, [])
            else:
                self._count = self._counted()
        return self._count

    def _counted(self) -> int:
        """How many are selected, counted (the list's own count, with its first row)."""
        rows = self.listing.live.rows(limit=1, offset=0, **self.values)
        return rows[0][_SELECTED] if rows else 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[Any, ...]]:
        start, stop = index.start or 0, index.stop
        if not isinstance(index, slice) or index.step not in (None, 1) or stop is None or stop < start:
            raise ValueError("the project list is read a page at a time")
        if self._read is not None:
            offset, rows = self._read
            if offset == start and (len(rows) >= stop - start or len(rows) < self.per_page):
                return rows[: stop - start]
        return self._rows(start, stop - start, counted=False) if stop > start else []


def _page_number(page: str | None) -> int:
    """The page Paginator.get_page will show, when it is in range."""
    try:
        number = int(page) if page else 1
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def listing(index: ProjectIndexPage, request: HttpRequest, filters: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The page of projects (``page_obj``, its object list the cards' links and HTML) and the list's
    HTML (``cards_html``)."""
    per_page = settings.PROJECT_INDEX_PAGE_SIZE
    paginator = Paginator(ProjectRows(index, filters, request.GET.get("page"), per_page, now), per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    cards: dict[int, SafeString] = {}
    for row in rows:
        project_id, _url_path, _selected, version, build, generation, built, valid_until, card, signature = row
        found = summary.stored_card(
            project_id,
            version=version,
            build=build,
            generation=generation,
            built_generation=built,
            valid_until=valid_until,
            card=card,
            card_signature=signature,
            now=now,
        )
        if found is not None:
            cards[project_id] = found
    live = [row[0] for row in rows if row[0] not in cards]
    rendered = _live_cards(live, now) if live else {}
    urls = _page_urls(index, request, [row[1] for row in rows])
    items = [
        Card(row[0], url, cards.get(row[0]) or rendered[row[0]], cards.get(row[0]))
        for row, url in zip(rows, urls, strict=True)
    ]
    page_obj.object_list = items
    html = "".join(_ITEM.format(url=escape(item.url), card=item.html) for item in items)
    return {"page_obj": page_obj, "cards_html": mark_safe(html)}  # escaped addresses, our cards


def _live_cards(project_ids: list[int], now: datetime) -> dict[int, SafeString]:
    """Cards of projects whose summary is missing or stale, rendered from the selectors."""
    projects = list(Project.objects.filter(pk__in=project_ids).select_related(*project_selectors.PROJECT_RELATED))
    lateness = project_selectors.lateness_for_projects(projects, timezone.localdate(now))
    return {
        project.pk: render_to_string(summary.CARD_TEMPLATE, summary.card_context(project, lateness[project.pk].project))
        for project in projects
    }


def _page_urls(index: ProjectIndexPage, request: HttpRequest, url_paths: list[str]) -> list[str]:
    """Each page's address as ``{% pageurl %}`` writes it: the index's, then the page's slug quoted
    as Django's ``reverse`` quotes a path. Where that may not hold (a site rooted at one of the
    pages, no trailing slashes) each page's own ``get_url``."""
    if not url_paths:
        return []
    index_url = index.get_url(request)
    own = index.url_path
    roots = [root[1] for root in index._get_site_root_paths(request)]
    if (
        getattr(settings, "WAGTAIL_APPEND_SLASH", True)
        and index_url
        and index_url.endswith("/")
        and not any(root.startswith(own) and root != own for root in roots)
        and all(url_path.startswith(own) for url_path in url_paths)
    ):
        return [index_url + quote(url_path[len(own) :], safe=RFC3986_SUBDELIMS + "/~:@") for url_path in url_paths]
    from .models import ProjectPage

    return [ProjectPage(url_path=url_path).get_url(request) for url_path in url_paths]


def options(choices: Choices, filters: dict[str, Any]) -> dict[str, SafeString]:
    """The filter form's ``<option>``s (after each "all" option), the chosen ones selected: written
    once per process for each set of choices (the streets' and years' with the kept ``choices``, the
    statuses' and categories' per language) and chosen value, as the same few are asked for on
    every request."""
    language = get_language()
    return {
        "street_options": _written(
            choices.written, ("street", filters["street"]), lambda: [(s.code, s.name) for s in choices.streets]
        ),
        "year_options": _written(
            choices.written, ("year", filters["plan_year"]), lambda: [(year, year) for year in choices.plan_years]
        ),
        "status_options": _written(_CONSTANT_OPTIONS, ("status", language, filters["status"]), ProjectStatus.choices),
        "category_options": _written(
            _CONSTANT_OPTIONS, ("category", language, filters["category"]), WorkCategory.choices
        ),
    }


# The statuses' and categories' options by language and chosen value (their labels are translated).
_CONSTANT_OPTIONS: dict[tuple[Any, ...], SafeString] = {}
# A bound on the options one set keeps: a chosen value comes from the query string as it was typed.
_WRITTEN_LIMIT = 256


def _written(
    written: dict[tuple[Any, ...], SafeString],
    key: tuple[Any, ...],
    pairs: list[tuple[Any, Any]] | Callable[[], list[tuple[Any, Any]]],
) -> SafeString:
    chosen = key[-1]
    key = (*key[:-1], type(chosen), chosen)  # 2023 and "2023" select differently
    found = written.get(key)
    if found is None:
        if len(written) >= _WRITTEN_LIMIT:
            written.clear()
        found = written[key] = _options(pairs() if callable(pairs) else pairs, chosen)
    return found


def _options(pairs: list[tuple[Any, Any]], chosen: Any) -> SafeString:
    return mark_safe(  # every value and label escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if chosen == value else ""}>{escape(label)}</option>'
            for value, label in pairs
        )
    )
