"""What the public may list: live pages that no view restriction covers.

Wagtail serves a page under a view restriction (login, password, groups; set on the page or on an
ancestor) only to whom it admits, but its ``live()`` querysets still hold that page: every public
listing (home, project index and its map, notices, feeds, search) filters through ``unrestricted``
so a private page is neither named nor linked. It adds no query: the restrictions are read in a
subquery of the listing's own (Wagtail's ``public()`` reads them all first, one more query).
The search backend takes no subquery: the site search reads the restricted paths first
(``restricted_paths``) and leaves them out with ``outside``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


def restricted(path: str = "path") -> Exists:
    """Whether a view restriction covers the page whose tree path is the outer ``path`` (a
    restricted page is a prefix of the path: the page itself or one of its ancestors)."""
    return Exists(PageViewRestriction.objects.filter(page__path=Substr(OuterRef(path), 1, Length("page__path"))))


def unrestricted(queryset: Any, path: str = "path") -> Any:
    """The queryset without the pages (or the rows of pages, through ``path``) a view restriction covers."""
    return queryset.exclude(restricted(path))


def restricted_paths() -> list[str]:
    """The tree paths of the restricted pages (one query): everything under them is private."""
    return list(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())


def outside(queryset: Any, paths: list[str], path: str = "path") -> Any:
    """The queryset without the pages (or rows of pages, through ``path``) under those paths; plain
    ``startswith`` filters, which a search backend can apply (its ``path`` a FilterField)."""
    hidden = Q()
    for prefix in paths:
        hidden |= Q(**{f"{path}__startswith": prefix})
    return queryset.exclude(hidden) if paths else queryset
