"""Finding the page a public URL names, in one query instead of Wagtail's four or five.

Wagtail finds the site for each request (``Site.find_for_request``: one query, remembered on the
request only), loads the site's root page as its own type, walks down the tree one query per
level, then reads the view restrictions of the page and its ancestors. Wagtail 8 keeps nothing of
this across requests (``Site.get_site_root_paths``, which it does cache, serves URL *generation*).

This module remembers, per process, what routing found: the site for a host and port, and for
each URL path the page's id, type, tree path and URL path (and its parent, which the breadcrumbs
link to). The next request for that path reads the page in one query, by id, *and* by its tree
path and URL path, with whether anything in the page's ancestry is restricted or an alias; then
the page's own ``route`` goes on as Wagtail's would (a page that is not live is a 404; a sub-route
of a routable page resolves). So a page unpublished, moved or renamed by any process, even one
that reported nothing, is not served from the memo: the row no longer matches, or says so.
Restrictions are read fresh in that same query; only when one covers the page (or an alias lies
in its ancestry) does Wagtail's own check run and read them.

What the memo alone answers (the site, the parent page linked from the breadcrumbs) is kept under
one cross-process version, the ``routing`` scope of the public cache (renovation/public/cache.py;
Redis in production, so every process sees a bump): it is read once a request and the whole memo
is dropped when it moved. ``CHANGE_PAGES`` bumps it after commit for every page published,
unpublished, moved or deleted and every restriction or Site saved or deleted (cms/cache.py
reports them). The version lives in the cache, not the database, so a page costs no query for it;
a counter lost with the cache comes back at a new value (the clock), never at an old one. If the
cache is down, requests are routed by Wagtail as if there were no memo.

The query is compiled by the ORM once per process, page type, depth and *variant* (what the rest of
the path below a routable page shows, ``routing_variant``: a project page's change log reads its
stored change log, not the page's stored sections) through renovation/public/prepared.py, and on
PostgreSQL prepared on the server once per connection (``PreparedObjects.on_server``): planning it
cost the server several times what running it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponseBase
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site

from renovation.public.cache import CACHE_DOWN
from renovation.public.kept import scope_versions_with_kept
from renovation.public.prepared import PreparedObjects

ROUTING = "routing"
# A bound on what one process remembers (routes are remembered only when found: a page, or a
# sub-route of one); past it the memo starts afresh.
MEMO_LIMIT = 10_000

Values = tuple[tuple[str, ...], tuple[Any, ...]]


@dataclass(frozen=True)
class Route:
    """What routing found for one URL path: the page named by its first ``length`` components."""

    model: type[Page]
    page_id: int
    path: str
    url_path: str
    length: int
    parent: Values | None


@dataclass
class Memo:
    version: int
    sites: dict[tuple[str, int], Values | None] = field(default_factory=dict)
    routes: dict[tuple[int, tuple[str, ...]], Route] = field(default_factory=dict)


_memo: Memo | None = None


def forget() -> None:
    """Drop this process's memo (a new process starts so)."""
    global _memo
    _memo = None


def _memo_at(version: int) -> Memo:
    # No lock: two threads replacing the memo at once each get a valid, empty one (the last kept).
    global _memo
    memo = _memo
    if memo is None or memo.version != version:
        memo = _memo = Memo(version)
    return memo


def serve(request: HttpRequest, path: str) -> HttpResponseBase:
    """Wagtail's ``serve`` view, with the site and the route found through the memo first."""
    from wagtail import views as wagtail_views  # it loads the page model when imported

    route_for_request(request, path)
    return wagtail_views.serve(request, path)


def route_for_request(request: HttpRequest, path: str) -> Any:
    """Set what Wagtail keeps on the request (``_wagtail_site``, ``_wagtail_route_for_request``:
    both documented as its per-request cache), from the memo where it can."""
    try:  # with the versions the page's kept values check (renovation/public/kept.py): one round trip
        version = scope_versions_with_kept(request, [ROUTING])[ROUTING]
    except CACHE_DOWN:
        return None  # Wagtail routes alone
    memo = _memo_at(version)
    site = _site_for_request(request, memo)
    if site is None:
        return None
    components = tuple(part for part in path.split("/") if part)
    key = (site.pk, components)
    route = memo.routes.get(key)
    if route is not None:
        page = _page(route, components[route.length :])
        if page is not None:
            try:
                request._wagtail_route_for_request = page.route(request, list(components[route.length :]))
            except Http404:
                request._wagtail_route_for_request = None
            return request._wagtail_route_for_request
        memo.routes.pop(key, None)
    result = Page.route_for_request(request, path)
    if result is not None:
        _remember(memo, key, result[0], site)
    return result


def _site_for_request(request: HttpRequest, memo: Memo) -> Site | None:
    # The key Wagtail's own lookup uses (Site._find_for_request).
    key = (split_domain_port(request._get_raw_host())[0], request.get_port())
    if key in memo.sites:
        values = memo.sites[key]
        site = _site_from(values) if values is not None else None
        request._wagtail_site = site
        return site
    site = Site.find_for_request(request)
    if len(memo.sites) >= MEMO_LIMIT:
        memo.sites.clear()
    memo.sites[key] = _site_values(site) if site is not None else None
    return site


def _values(instance: Any, model: type) -> Values:
    names = tuple(f.attname for f in model._meta.concrete_fields)
    return names, tuple(getattr(instance, name) for name in names)


def _site_values(site: Site) -> Values:
    names, values = _values(site, Site)
    root_names, root_values = _values(site.root_page, Page)
    return names + ("root_page",), values + ((root_names, root_values),)


def _site_from(values: Values) -> Site:
    names, row = values
    site = Site.from_db(DEFAULT_DB_ALIAS, names[:-1], row[:-1])
    site.root_page = Page.from_db(DEFAULT_DB_ALIAS, *row[-1])
    return site


def _remember(memo: Memo, key: tuple[int, tuple[str, ...]], page: Page, site: Site) -> None:
    root = site.root_page.url_path
    if not page.url_path.startswith(root):
        return  # served from outside the site's tree: leave it to Wagtail
    length = len([part for part in page.url_path[len(root) :].split("/") if part])
    parent = getattr(page, "_cached_parent_obj", None)
    if len(memo.routes) >= MEMO_LIMIT:
        memo.routes.clear()
    memo.routes[key] = Route(
        model=type(page),
        page_id=page.pk,
        path=page.path,
        url_path=page.url_path,
        length=length,
        parent=_values(parent, Page) if isinstance(parent, Page) else None,
    )


def _page(route: Route, rest: tuple[str, ...]) -> Page | None:
    """The page, if it is still where it was, as its type reads it for what ``rest`` of the path
    names below it; with whether its view restrictions need reading."""
    steplen = route.model.steplen
    ancestry = [route.path[:end] for end in range(steplen, len(route.path) + 1, steplen)]
    pages = _reader(route.model, len(ancestry), routing_variant(route.model, rest)).objects(
        page_id=route.page_id,
        path=route.path,
        url_path=route.url_path,
        **{f"a{level}": path for level, path in enumerate(ancestry)},
    )
    if not pages:
        return None
    page = pages[0]
    page.routing_unrestricted = not page.routing_guarded
    if route.parent is not None:
        page._cached_parent_obj = Page.from_db(DEFAULT_DB_ALIAS, *route.parent)
    return page


def _page_queryset(
    model: type[Page], variant: str | None, ancestry: list[str], page_id: int, path: str, url_path: str
) -> QuerySet:
    """The routing query: the page by id, tree path and URL path, with whether anything in its
    ancestry is restricted or an alias."""
    guarded = Page.objects.filter(path__in=ancestry).filter(
        Q(alias_of__isnull=False) | Q(id__in=PageViewRestriction.objects.values("page_id"))
    )
    queryset = routing_queryset(model, variant)
    return queryset.filter(pk=page_id, path=path, url_path=url_path).annotate(routing_guarded=Exists(guarded))[:1]


@lru_cache(maxsize=256)
def _reader(model: type[Page], depth: int, variant: str | None) -> PreparedObjects:
    """The routing query of one page type, depth and variant, compiled by the ORM once per process
    (renovation/public/prepared.py): its compilation (the page with its type's related rows,
    ``routing_queryset``) cost more CPU than the rest of a cheap page. The ancestry's paths are
    values of their own (``a0``, ``a1``...), one per level."""
    path = Page._meta.get_field("path")
    return PreparedObjects.on_server(
        lambda page_id, path, url_path, **ancestry: _page_queryset(
            model, variant, [ancestry[f"a{level}"] for level in range(depth)], page_id, path, url_path
        ),
        page_id=Page._meta.pk,
        path=path,
        url_path=Page._meta.get_field("url_path"),
        **{f"a{level}": path for level in range(depth)},
    )


def routing_variant(model: type[Page], rest: tuple[str, ...]) -> str | None:
    """Which of its few ways of being read a page type wants for the rest of the path below it (its
    own page, or a sub-route of a routable page): ``routing_variant(rest)`` on the type, if any."""
    custom = getattr(model, "routing_variant", None)
    return custom(rest) if custom is not None else None


def routing_queryset(model: type[Page], variant: str | None = None) -> QuerySet:
    """How routing reads a page of this type (a type may load what its page shows with it, for its
    ``variant``; None: whatever the route below it shows)."""
    custom = getattr(model, "routing_queryset", None)
    return custom(variant) if custom is not None else model._default_manager.all()


class ViewRestrictionsInOneQuery:
    """Wagtail's rule for a page's view restrictions (its own and its ancestors', an alias
    answering for its source page) in one query instead of two; none at all when routing read
    in its own query that nothing in the page's ancestry is restricted or an alias."""

    path: str
    steplen: int

    def get_view_restrictions(self) -> QuerySet[PageViewRestriction]:
        if getattr(self, "routing_unrestricted", False):
            return PageViewRestriction.objects.none()
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        sources = Page.objects.filter(path__in=paths).values(source=Coalesce("alias_of_id", "id"))
        return PageViewRestriction.objects.filter(page_id__in=sources)
