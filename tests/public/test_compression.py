"""Big stored pages are kept gzip-compressed: sent so to clients that accept gzip, plain to others,
each encoding with its own ETag, and ``Vary: Accept-Encoding`` on both."""

import gzip
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from renovation.public.cache import depends_on, entry_key
from renovation.public.compression import accepts_gzip
from renovation.public.middleware import PublicPageCacheMiddleware
from renovation.public.responses import text_stream
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

BIG = ("<p>" + "旧改 " * 2000 + "</p>").encode()


def _get(path: str = "/big/", **headers: str):
    request = RequestFactory().get(path, **headers)
    request.user = AnonymousUser()
    request.session = SessionStore()
    return request


def _gzip(**headers: str) -> dict[str, str]:
    return {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br", **headers}


@pytest.fixture
def middleware(page_cache):
    def view(request):
        depends_on(request, "home")
        size = int(request.GET.get("size", len(BIG)))
        return HttpResponse(BIG[:size], content_type=request.GET.get("type", "text/html; charset=utf-8"))

    return PublicPageCacheMiddleware(view)


def test_it_sends_a_big_stored_page_gzipped_to_a_client_that_accepts_gzip(middleware):
    middleware(_get())
    served = middleware(_get(**_gzip()))
    assert served["X-Public-Cache"] == "hit"
    assert served["Content-Encoding"] == "gzip"
    assert gzip.decompress(served.content) == BIG
    assert len(served.content) < len(BIG) / 5
    assert "Accept-Encoding" in served["Vary"]


def test_it_sends_the_plain_page_to_a_client_that_does_not_accept_gzip(middleware):
    middleware(_get(**_gzip()))
    for headers in ({}, {"HTTP_ACCEPT_ENCODING": "identity"}, {"HTTP_ACCEPT_ENCODING": "gzip;q=0, br"}):
        served = middleware(_get(**headers))
        assert served["X-Public-Cache"] == "hit"
        assert "Content-Encoding" not in served
        assert served.content == BIG
        assert "Accept-Encoding" in served["Vary"]


def test_the_first_answer_that_stores_the_page_is_negotiated_too(middleware):
    first = middleware(_get(**_gzip()))
    assert first["X-Public-Cache"] == "miss"
    assert gzip.decompress(first.content) == BIG and first["Content-Encoding"] == "gzip"


def test_each_encoding_has_its_own_strong_etag(middleware):
    plain = middleware(_get())
    zipped = middleware(_get(**_gzip()))
    assert plain["ETag"] != zipped["ETag"]
    assert not plain["ETag"].startswith("W/") and not zipped["ETag"].startswith("W/")
    again = middleware(_get(**_gzip()))
    assert again["ETag"] == zipped["ETag"] and again.content == zipped.content


@pytest.mark.parametrize("encoding", ["plain", "gzip"])
def test_it_answers_304_to_the_etag_of_the_encoding_asked_for(middleware, encoding):
    headers = _gzip() if encoding == "gzip" else {}
    etag = middleware(_get(**headers))["ETag"]
    revalidated = middleware(_get(**headers, HTTP_IF_NONE_MATCH=etag))
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert revalidated["ETag"] == etag
    assert "Accept-Encoding" in revalidated["Vary"]
    # nginx's gzip filter marks the ETag of what it compressed weak; the comparison is weak.
    assert middleware(_get(**headers, HTTP_IF_NONE_MATCH=f"W/{etag}")).status_code == 304


def test_the_etag_of_one_encoding_gets_the_other_in_full(middleware):
    plain_etag = middleware(_get())["ETag"]
    gzip_etag = middleware(_get(**_gzip()))["ETag"]
    zipped = middleware(_get(**_gzip(HTTP_IF_NONE_MATCH=plain_etag)))
    assert zipped.status_code == 200 and gzip.decompress(zipped.content) == BIG
    plain = middleware(_get(HTTP_IF_NONE_MATCH=gzip_etag))
    assert plain.status_code == 200 and plain.content == BIG


def test_a_small_page_is_sent_as_it_is(middleware, settings):
    settings.PUBLIC_CACHE_GZIP_MIN_BYTES = 1024
    path = "/big/?size=1000"
    middleware(_get(path))
    served = middleware(_get(path, **_gzip()))
    assert served["X-Public-Cache"] == "hit"
    assert "Content-Encoding" not in served and served.content == BIG[:1000]
    assert "Vary" not in served


def test_a_page_of_a_type_that_is_compressed_already_is_sent_as_it_is(middleware):
    path = "/big/?type=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    middleware(_get(path))
    served = middleware(_get(path, **_gzip()))
    assert "Content-Encoding" not in served and served.content == BIG


def test_the_cache_holds_the_compressed_page(middleware, page_cache):
    request = _get(**_gzip())
    middleware(request)
    stored = page_cache.get(entry_key(request))
    assert stored["gzip"] is True and gzip.decompress(stored["body"]) == BIG


def test_a_streamed_page_is_stored_compressed_once_sent(page_cache):
    body = json.dumps({"projects": ["改造"] * 3000}, ensure_ascii=False)

    def view(request):
        depends_on(request, "open_data")
        return text_stream([body], "application/json")

    middleware = PublicPageCacheMiddleware(view)
    first = middleware(_get("/stream/", **_gzip()))
    assert b"".join(first.streaming_content) == body.encode()  # the miss goes out as it is made
    served = middleware(_get("/stream/", **_gzip()))
    assert served["Content-Encoding"] == "gzip" and gzip.decompress(served.content) == body.encode()


def test_a_page_with_a_csp_nonce_is_never_compressed(page_cache):
    html = '<script nonce="Zmlyc3Q=" src="/static/a.js"></script>' + "旧改" * 2000

    def view(request):
        depends_on(request, "home")
        request._csp_nonce = "Zmlyc3Q="
        return HttpResponse(html)

    middleware = PublicPageCacheMiddleware(view)
    first = _get("/nonce/", **_gzip())
    first.csp_nonce = "Zmlyc3Q="
    middleware(first)
    second = _get("/nonce/", **_gzip())
    second.csp_nonce = "c2Vjb25k"
    served = middleware(second)
    assert served["X-Public-Cache"] == "hit" and "Content-Encoding" not in served
    assert served.content.decode() == html.replace("Zmlyc3Q=", "c2Vjb25k")


def test_the_oc4ids_page_is_the_same_document_in_either_encoding(client, page_cache, personas):
    for index in range(3):
        ProjectFactory(neighbourhood=personas.street_a_place, name=f"金沙苑{index}期改造")
    plain = b"".join(client.get("/projects/oc4ids.json").streaming_content)
    zipped = client.get("/projects/oc4ids.json", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["X-Public-Cache"] == "hit" and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain
    assert len(json.loads(plain)["projects"]) == 3


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("x-gzip", True),
        ("*", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("*;q=0.5, gzip;q=0", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=nonsense", False),
        ("", False),
    ],
)
def test_it_reads_whether_the_client_accepts_gzip(header, accepted):
    assert accepts_gzip(RequestFactory().get("/", HTTP_ACCEPT_ENCODING=header)) is accepted


def test_a_page_its_view_compressed_is_not_compressed_again(page_cache):
    def view(request):
        depends_on(request, "home")
        response = HttpResponse(gzip.compress(BIG), content_type="text/html; charset=utf-8")
        response["Content-Encoding"] = "gzip"
        return response

    request = _get("/compressed/", **_gzip())
    PublicPageCacheMiddleware(view)(request)
    stored = page_cache.get(entry_key(request))
    assert stored["gzip"] is False and gzip.decompress(stored["body"]) == BIG
