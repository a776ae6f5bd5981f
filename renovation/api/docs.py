"""The API's documentation page (rendered on the server: it works without any script or CDN)
and its OpenAPI schema."""

from __future__ import annotations

import inspect

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView

from .base import OpenDataMixin


class SchemaView(OpenDataMixin, SpectacularAPIView):
    """OpenAPI 3 schema of /api/v1/: JSON by default, YAML with ``?format=yaml``."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


def _resources() -> list[dict[str, str]]:
    from .urls import router

    return [
        {
            "path": f"/api/v1/{prefix}/",
            "summary": inspect.getdoc(viewset) or "",
            "filters": ", ".join(viewset.filterset_class.base_filters) if viewset.filterset_class else "",
        }
        for prefix, viewset, _basename in router.registry
    ]


def api_docs(request: HttpRequest) -> HttpResponse:
    context = {
        "resources": _resources(),
        "rates": settings.API_RATES,
        "page_size": settings.API_PAGE_SIZE,
        "open311_contact": settings.OPEN311_CONTACT,
    }
    return render(request, "api/docs.html", context)
