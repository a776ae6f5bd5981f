"""The API's documentation page (rendered on the server: it works without any script or CDN)
and its OpenAPI schema."""

from __future__ import annotations

import inspect

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView

from renovation.public.cache import depends_on

from .base import OpenDataMixin


class SchemaView(OpenDataMixin, SpectacularAPIView):
    """OpenAPI 3 schema of /api/v1/: JSON by default, YAML with ``?format=yaml``."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
    public_cache = False  # JSON or YAML by the Accept header: one URL, two answers


# What each resource holds, in the reader's language (the schema keeps the views' docstrings).
SUMMARIES = {
    "streets": _("Streets and towns (街道/镇)."),
    "communities": _("Communities (社区) of each street."),
    "neighbourhoods": _("Neighbourhoods (小区): year built, buildings, households, floor area, management."),
    "projects": _(
        "Renovation projects with their works, planned and actual dates, budget by source, status, progress, "
        "lateness and construction units."
    ),
    "progress": _("Confirmed progress: the history that moved the official figures."),
    "site-issues": _("Site issues the public may see (accepted onwards), with before and after photos."),
    "tenders": _(
        "Tenders with their public steps: announcement, bid period, the opening record once the opening time has "
        "passed, scores from the publicity on, the award."
    ),
    "contracts": _("Signed contracts, tendered or direct, with approved changes and what has been paid."),
    "change-orders": _("Contract changes (变更): reason, amount, whether approved."),
    "payments": _("Every payment the bank agent booked; corrections as their own signed lines."),
    "disclosures": _("Quarterly disclosures: figures frozen when published."),
    "consultation": _(
        "Per project: the intent tally against its threshold, votes on decision items, satisfaction once the works "
        "are accepted. Counts, shares and averages only."
    ),
}


def _resources() -> list[dict[str, str]]:
    from .urls import router

    return [
        {
            "path": f"/api/v1/{prefix}/",
            "summary": SUMMARIES.get(prefix) or inspect.getdoc(viewset) or "",
            "filters": ", ".join(viewset.filterset_class.base_filters) if viewset.filterset_class else "",
        }
        for prefix, viewset, _basename in router.registry
    ]


def api_docs(request: HttpRequest) -> HttpResponse:
    depends_on(request)  # settings and the views' own text only
    context = {
        "resources": _resources(),
        "rates": settings.API_RATES,
        "page_size": settings.API_PAGE_SIZE,
        "open311_contact": settings.OPEN311_CONTACT,
    }
    return render(request, "api/docs.html", context)
