"""The site's URLs plus ``/__bench__/bare/``: a 2 KB template rendered with no database work,
through the same middleware, the ceiling a public page is measured against."""

import os

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from renovation.opendata import bulk, oc4ids
from renovation.urls import urlpatterns as site_urlpatterns

# bench_public_pages.py --page-size: the paged bulk files' rows per page for this run only, so that
# their first page holds the same rows at both sizes (the API's comes from API_PAGE_SIZE).
if _size := int(os.environ.get("BENCH_BULK_PAGE_SIZE") or 0):
    bulk.CSV_PAGE_SIZE = oc4ids.PAGE_SIZE = _size

_ROW = '<li class="item"><a href="/projects/{{ forloop.counter }}/">{{ name }} · {{ forloop.counter }}</a></li>\n'
BARE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
    "<body><h1>{{ title }}</h1><ul>{% for name in names %}" + _ROW + "{% endfor %}</ul></body></html>"
)
NAMES = ["虹桥新村二期改造"] * 20  # about 2 KB rendered


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE.render({"title": "基准页", "names": NAMES}, request))


urlpatterns = [path("__bench__/bare/", bare), *site_urlpatterns]
