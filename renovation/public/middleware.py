"""Serve anonymous public pages from the shared cache; store them when a page declared its scopes.

Only a GET from a visitor with no session and no pending messages is looked up or stored, and
only a 200 that sets no cookie, used no CSRF token, touched no session and is not marked private
is stored. Signed-in visitors always get a fresh page (their personal parts: names, forms,
notifications), marked ``private, no-cache`` so no shared cache keeps it.

Responses carry ``ETag`` and ``Last-Modified`` with ``Cache-Control: public, max-age=0,
must-revalidate``, so browsers ask again every time and get a 304 while the page is unchanged;
``X-Accel-Expires`` lets nginx keep a copy for a few seconds (the microcache in deploy/nginx).
A big page is stored gzip-compressed and sent so to clients that accept gzip, with its own ETag
(renovation/public/compression.py).

A page stored with a gate (``depends_on(..., gate=...)``, the API's rates) is served only after
its gate passes; a gate may also send it to be rendered fresh, or answer itself.

CSP nonces: a nonce must differ on every response. If a page used ``request.csp_nonce`` while it
was rendered, the stored copy has the nonce replaced by a placeholder, and each response gets a
fresh nonce written back in (django-csp adds it to the header, since it is read here). Such a page
is sent without validators and as ``no-cache, private``: a 304 would pair a browser's old body (old
nonce) with a new header, and nginx must not hand one nonce to many visitors. Public pages today
use external scripts only, so they carry no nonce and keep their validators.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from . import compression
from .cache import CACHE_DOWN, GATES, Declaration, cache_backend, entry_key, scope_versions

logger = logging.getLogger(__name__)
NONCE_PLACEHOLDER = b"__public-cache-csp-nonce__"
KEPT_HEADERS = ("Content-Type", "Link", "Content-Disposition", "Access-Control-Allow-Origin")


def _may_look_up(request: HttpRequest) -> bool:
    if not settings.PUBLIC_CACHE_ENABLED or request.method != "GET":
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False  # a session (signed in, or a pending message) makes the page personal
    return not request.user.is_authenticated


def _may_store(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page carries a CSRF token made for this visitor
    session = getattr(request, "session", None)
    if session is not None and (session.modified or not session.is_empty()):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _proxy_expiry_first(response: HttpResponseBase, seconds: str) -> None:
    """Put ``X-Accel-Expires`` before ``Cache-Control``, also on a 304 (Django's keeps only the
    validators and ``Cache-Control``).

    nginx (1.22, Debian 12's) reads a proxied response's headers in order: a ``Cache-Control:
    max-age=0`` read before ``X-Accel-Expires`` makes the response uncacheable. The microcache
    then stored nothing, and nginx, which answers a conditional request itself (it sends Django
    none while the microcache is on), answered 200 where the browser's ETag matched: on every
    request before this order, and on the one that revalidated an expired copy (Django's 304
    carried no ``X-Accel-Expires``) after it. deploy/README.md, "Microcache and 304"."""
    cache_control = response.headers.pop("Cache-Control", None)
    response["X-Accel-Expires"] = seconds
    if cache_control is not None:
        response["Cache-Control"] = cache_control


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not _may_look_up(request):
            response = self.get_response(request)
            if getattr(request, "public_page", False):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = entry_key(request)
        try:
            entry = cache_backend().get(key)
            fresh = entry is not None and entry["until"] > time.time()
            if fresh and scope_versions(entry["versions"]) == entry["versions"]:
                verdict = GATES[entry["gate"]](request) if entry.get("gate") else True
                if verdict is True:
                    return self._serve(request, entry, hit=True)
                if verdict is not False:
                    return verdict
        except CACHE_DOWN:
            logger.warning("public page cache unavailable: serving %s fresh", request.path, exc_info=True)
            return self.get_response(request)
        request.public_cache_lookup = True
        response = self.get_response(request)
        declaration: Declaration | None = getattr(request, "public_cache", None)
        if declaration is None:
            return response
        if not _may_store(request, response):
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if response.streaming:
            return self._stream_and_store(request, response, key, declaration)
        entry = self._entry(request, response, response.content, declaration)
        try:
            cache_backend().set(key, entry, timeout=max(1, int(entry["until"] - time.time())))
        except CACHE_DOWN:
            logger.warning("public page cache unavailable: %s not stored", request.path, exc_info=True)
        return self._serve(request, entry, hit=False)

    def _entry(self, request: HttpRequest, response: HttpResponseBase, body: bytes, declaration: Declaration) -> dict:
        nonce = getattr(request, "_csp_nonce", None)
        uses_nonce = isinstance(nonce, str) and nonce.encode() in body
        if uses_nonce:
            body = body.replace(nonce.encode(), NONCE_PLACEHOLDER)
        etag = _etag(body)
        compressed = (
            not uses_nonce
            and not response.has_header("Content-Encoding")  # never twice
            and compression.worth_compressing(body, response.get("Content-Type", ""))
        )
        return {
            "versions": declaration.versions,
            "until": declaration.until.timestamp(),
            "headers": [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)],
            "body": compression.compress(body) if compressed else body,
            "gzip": compressed,  # the body is kept gzip-compressed (renovation/public/compression.py)
            "etag": etag,  # of the plain body
            "modified": time.time(),
            "nonce": uses_nonce,
            "gate": declaration.gate,
        }

    def _serve(self, request: HttpRequest, entry: dict, *, hit: bool) -> HttpResponseBase:
        if entry["nonce"]:
            response = HttpResponse(entry["body"].replace(NONCE_PLACEHOLDER, str(request.csp_nonce).encode()))
            self._headers(response, entry, hit)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        # A page kept compressed goes out so to a client that accepts gzip, decompressed to any
        # other; each encoding is its own representation, with its own ETag.
        etag, body, gzipped = entry["etag"], entry["body"], entry.get("gzip", False)
        send_gzip = gzipped and compression.accepts_gzip(request)
        if send_gzip:
            etag = compression.variant_etag(etag)
        response = HttpResponse()
        self._headers(response, entry, hit)
        if gzipped:
            patch_vary_headers(response, ("Accept-Encoding",))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(entry["modified"])
        proxy_seconds = str(max(0, min(settings.PUBLIC_CACHE_PROXY_SECONDS, int(entry["until"] - time.time()))))
        response["X-Accel-Expires"] = proxy_seconds  # before Cache-Control: see _proxy_expiry_first
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        modified = int(datetime.fromtimestamp(entry["modified"], tz=UTC).timestamp())
        answer = get_conditional_response(request, etag=etag, last_modified=modified, response=response)
        if answer is not response:
            _proxy_expiry_first(answer, proxy_seconds)
            return answer  # 304 (or 412): no body, so nothing to decompress
        if send_gzip:
            response["Content-Encoding"] = "gzip"
        response.content = body if send_gzip or not gzipped else compression.decompress(body)
        return response

    @staticmethod
    def _headers(response: HttpResponse, entry: dict, hit: bool) -> None:
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Public-Cache"] = "hit" if hit else "miss"

    def _stream_and_store(
        self, request: HttpRequest, response: StreamingHttpResponse, key: str, declaration: Declaration
    ) -> StreamingHttpResponse:
        """Send a streamed page as it is made and store it once the last chunk went out."""
        source = response.streaming_content

        def tee() -> Iterator[bytes]:
            chunks: list[bytes] = []
            for chunk in source:
                chunks.append(chunk)
                yield chunk
            entry = self._entry(request, response, b"".join(chunks), declaration)
            try:
                cache_backend().set(key, entry, timeout=max(1, int(entry["until"] - time.time())))
            except CACHE_DOWN:
                logger.warning("public page cache unavailable: %s not stored", request.path, exc_info=True)

        response.streaming_content = tee()
        response["X-Public-Cache"] = "miss"
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response
