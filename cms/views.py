"""The site search (/search/): projects, notices and documents, through Wagtail's search backend."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from wagtail.search.backends import get_search_backend

from .models import NoticePage, ProjectPage, PublicDocument
from .search import MAX_QUERY_LENGTH, site_query, text_param
from .visibility import outside, restricted_paths

SEARCH_PAGE_SIZE = 10

# Tab → (label, the searchable queryset without the pages under the given restricted paths). Each
# keeps the page to a fixed number of queries.
SECTIONS: dict[str, tuple[Any, Any]] = {
    "projects": (
        _("Projects"),
        lambda hidden: outside(ProjectPage.objects.live(), hidden).select_related(
            "project__neighbourhood__community__street"
        ),
    ),
    "notices": (
        _("Notices and announcements"),
        lambda hidden: outside(NoticePage.objects.live(), hidden).select_related("street", "project"),
    ),
    "documents": (
        _("Documents"),
        lambda hidden: outside(PublicDocument.objects.filter(page__live=True), hidden, "page__path").select_related(
            "document", "page"
        ),
    ),
}


@require_safe
def site_search(request: HttpRequest) -> HttpResponse:
    """Not stored in the public page cache: every query is its own URL, and they never repeat much."""
    raw = text_param(request, "q", MAX_QUERY_LENGTH)
    query = site_query(raw)
    context: dict[str, Any] = {"q": raw, "sections": [], "section": None, "page_obj": None}
    if query is not None:
        backend = get_search_backend()
        hidden = restricted_paths()  # a page under a view restriction is found by no one
        results = {name: backend.search(query, queryset(hidden)) for name, (label, queryset) in SECTIONS.items()}
        counts = {name: found.count() for name, found in results.items()}
        wanted = request.GET.get("type", "")
        if wanted not in SECTIONS:
            wanted = next((name for name in SECTIONS if counts[name]), "projects")
        context["sections"] = [(name, SECTIONS[name][0], counts[name]) for name in SECTIONS]
        context["section"] = wanted
        paginator = Paginator(results[wanted], SEARCH_PAGE_SIZE)
        paginator.count = counts[wanted]  # counted already
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        context["filter_query"] = urlencode({"q": raw, "type": wanted})
    return render(request, "cms/search.html", context)
