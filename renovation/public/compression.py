"""Stored public pages kept gzip-compressed, and sent so to the clients that accept it.

A big page (an OC4IDS or CSV page of a hundred projects is 30–550 KB) cost, on every hit, its
whole body out of Redis, through the unpickler and through gunicorn's socket, and then nginx
compressed it again on every answer (its microcache keeps what Django sent). Stored compressed
(once, when the page is stored), a hit moves a tenth of the bytes and nginx compresses nothing:
a response that already has a ``Content-Encoding`` passes its gzip filter untouched.

A client that accepts gzip (every browser, nginx as deploy/nginx sets it up, curl
``--compressed``, Python's requests) gets the stored bytes with ``Content-Encoding: gzip``; any
other gets them decompressed. Both carry ``Vary: Accept-Encoding``. Each encoding is its own
representation with its own strong ETag (the plain one, and the plain one with ``-gzip``), so a
304 is answered only for the one the client holds; the compressed bytes are made with a fixed
header (no time, no name), so the same page always compresses to the same bytes.

Only pages of at least ``PUBLIC_CACHE_GZIP_MIN_BYTES`` and of a textual type are stored this way;
a page with a CSP nonce is not (the nonce is written into its body on every response).
"""

from __future__ import annotations

import gzip
import zlib

from django.conf import settings
from django.http import HttpRequest

GZIP_SUFFIX = "-gzip"
# What compresses: text, and the structured text types the site sends (JSON, XML, Atom, RSS).
_TEXTUAL = ("text/", "application/json", "application/xml", "application/atom+xml", "application/rss+xml")
# zlib's default level: within 10% of the smallest for these pages, at a third of level 9's time.
LEVEL = 6


def worth_compressing(body: bytes, content_type: str) -> bool:
    """Whether a page to be stored should be kept compressed."""
    return len(body) >= settings.PUBLIC_CACHE_GZIP_MIN_BYTES and content_type.lower().startswith(_TEXTUAL)


def compress(body: bytes) -> bytes:
    """The gzip member of ``body``, the same bytes every time (``mtime`` 0, no file name)."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def decompress(body: bytes) -> bytes:
    return zlib.decompress(body, wbits=31)  # 31: a gzip header and trailer


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the request's ``Accept-Encoding`` allows gzip: named (or ``x-gzip``, or ``*``
    when gzip is not named) with a quality above 0 (RFC 9110, section 12.5.3)."""
    qualities: dict[str, float] = {}
    for item in request.headers.get("Accept-Encoding", "").split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        if not coding:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.lower()] = quality
    for coding in ("gzip", "x-gzip", "*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False


def variant_etag(etag: str) -> str:
    """The strong ETag of a page's gzip representation, from its plain one (``"…"``)."""
    return etag[:-1] + GZIP_SUFFIX + '"'
