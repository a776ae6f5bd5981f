"""The site's URLs plus ``/__bench__/bare/``: a 2 KB template rendered with no database work,
through the same middleware, the ceiling a public page is measured against."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from renovation.urls import urlpatterns as site_urlpatterns

_ROW = '<li class="item"><a href="/projects/{{ forloop.counter }}/">{{ name }} · {{ forloop.counter }}</a></li>\n'
BARE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>{{ title }}</title></head>'
    "<body><h1>{{ title }}</h1><ul>{% for name in names %}" + _ROW + "{% endfor %}</ul></body></html>"
)
NAMES = ["虹桥新村二期改造"] * 20  # about 2 KB rendered


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE.render({"title": "基准页", "names": NAMES}, request))


urlpatterns = [path("__bench__/bare/", bare), *site_urlpatterns]
