"""Open-data endpoints: OC4IDS packages, bulk CSV and Excel, and the catalogue page."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from renovation.places.models import Street
from renovation.projects.models import Project
from renovation.public.cache import depends_on
from renovation.public.responses import text_stream
from renovation.spreadsheets.responses import attachment, spreadsheet_response
from renovation.tendering.models import TenderRelease

from . import bulk, catalogue, oc4ids, stored

_JSON = {"ensure_ascii": False}


def _absolute(request: HttpRequest) -> oc4ids.Absolute:
    return request.build_absolute_uri


def _policy(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("opendata:catalogue"))


@require_GET
def project_oc4ids(request: HttpRequest, slug: str) -> JsonResponse:
    """One project as an OC4IDS project package."""
    depends_on(request, "open_data")
    project = get_object_or_404(oc4ids.public_projects(), slug=slug)
    sources = oc4ids.project_sources([project])
    document = oc4ids.project_document(project, sources, _absolute(request))
    package = oc4ids.project_package([document], uri=request.build_absolute_uri(), policy=_policy(request))
    return JsonResponse(package, json_dumps_params={**_JSON, "indent": 1})


MAX_PAGE = 1_000_000


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        raise Http404(_("The page must be a whole number.")) from None
    if number < 1:
        raise Http404(_("The page must be a whole number."))
    if number > MAX_PAGE:  # no such page; its offset would overflow PostgreSQL's bigint (a 500)
        raise Http404(_("There is no such page."))
    return number


@require_GET
def projects_oc4ids(request: HttpRequest) -> StreamingHttpResponse:
    """Every project as OC4IDS, ``PAGE_SIZE`` per page in a stable order, the next page in a
    ``Link: rel="next"`` header. Each project's stored text is sent as it is, with the site's
    address filled in (opendata.stored); those without a current one are encoded live, in a fixed
    number of queries. One query reads the page and whether another follows (no count of every
    project); the page goes out in one write with its length (public.responses)."""
    depends_on(request, "open_data")
    number = _page_number(request)
    kept, more = stored.oc4ids_page(number, timezone.now())
    if not kept:
        # A package must hold at least one project: no page past the last, and none while empty.
        raise Http404(_("There is no such page of projects."))
    live = _live_oc4ids([pk for pk, text in kept.items() if text is None], _absolute(request))
    head = json.dumps(oc4ids.package_head(uri=request.build_absolute_uri(), policy=_policy(request)), **_JSON)
    address = stored.site_address(request)
    # The stored texts are UTF-8 bytes, sent as they were read: only the site's address goes in.
    pieces = [head[:-1].encode(), b', "projects": [']
    for pk, text in kept.items():
        if text is None and pk not in live:
            continue  # deleted since the page was read
        if len(pieces) > 2:
            pieces.append(b",")
        pieces.append(stored.oc4ids_fill(text, address) if text is not None else live[pk].encode())
    pieces.append(b"]}")
    response = text_stream(pieces, "application/json")
    if more:
        response["Link"] = f'<{request.path}?page={number + 1}>; rel="next"'
    return response


def _live_oc4ids(ids: list[int], absolute: oc4ids.Absolute) -> dict[int, str]:
    """The OC4IDS texts of these projects, encoded now from the selectors."""
    if not ids:
        return {}
    projects = list(oc4ids.public_projects().filter(pk__in=ids))
    sources = oc4ids.project_sources(projects)
    return {
        project.pk: oc4ids.project_text(oc4ids.project_document(project, sources, absolute)) for project in projects
    }


@require_GET
def bulk_csv(request: HttpRequest, dataset: str) -> StreamingHttpResponse:
    """A page of a dataset as CSV, ``bulk.CSV_PAGE_SIZE`` rows in a stable order, each page a whole
    CSV file with its header, the next page in a ``Link: rel="next"`` header. The projects' lines
    are kept with their other texts (opendata.stored); the page goes out in one write with its
    length (public.responses)."""
    depends_on(request, "open_data")
    chosen = _dataset(dataset)
    number = _page_number(request)
    if chosen.slug == "projects":
        language = translation.get_language() or settings.LANGUAGE_CODE
        lines, more = stored.projects_csv_page(language, timezone.now(), number)
    else:
        lines, more = bulk.csv_page(chosen, number)
    if number > 1 and len(lines) == 1:  # past the last page (the first may be empty: just the header)
        raise Http404(_("There is no such page."))
    response = text_stream(lines, "text/csv; charset=utf-8")
    if number == 1:
        response["Content-Disposition"] = attachment(f"{chosen.title}.csv", f"{chosen.slug}.csv")
    else:
        title = _("%(title)s, page %(number)d") % {"title": chosen.title, "number": number}
        response["Content-Disposition"] = attachment(f"{title}.csv", f"{chosen.slug}-{number}.csv")
    if more:
        response["Link"] = f'<{request.path}?page={number + 1}>; rel="next"'
    return response


@require_GET
def bulk_xlsx(request: HttpRequest, dataset: str) -> HttpResponse:
    depends_on(request, "open_data")
    chosen = _dataset(dataset)
    response = spreadsheet_response(
        lambda target: bulk.write_workbook(chosen, target),
        filename=f"{chosen.title}.xlsx",
        fallback=f"{chosen.slug}.xlsx",
    )
    # Public data: the same for everyone (the toolkit's default keeps staff exports private).
    response["Cache-Control"] = "public, max-age=300"
    return response


def _dataset(slug: str) -> bulk.Dataset:
    try:
        return bulk.DATASETS[slug]
    except KeyError:
        raise Http404(_("There is no such dataset.")) from None


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """The catalogue: every dataset, its formats, licence, update frequency and schema."""
    depends_on(request, "open_data")
    examples: dict[str, str] = {}
    project = Project.objects.order_by("pk").only("slug").first()
    if project is not None:
        examples["project_oc4ids"] = reverse("opendata:project_oc4ids", args=[project.slug])
        examples["project_feed"] = reverse("opendata:project_feed", args=[project.slug])
    street = Street.objects.order_by("sort_order", "pk").only("code").first()
    if street is not None:
        examples["street_feed"] = reverse("opendata:street_feed", args=[street.code])
    tender = TenderRelease.objects.order_by("pk").values_list("tender_id", flat=True).first()
    if tender is not None:
        examples["tender_ocds"] = reverse("tendering:ocds", args=[tender])
    context: dict[str, Any] = catalogue.catalogue_context(examples)
    return render(request, "opendata/catalogue.html", context)
