"""A browser revalidating a public page through nginx gets 304 while the page is unchanged: from
the microcache, on a miss, and when nginx revalidates its expired copy with Django (deploy/README.md,
"Microcache and 304").

nginx sends Django no conditional header while the microcache is on (it asks for the whole page,
or revalidates its own copy), so every 304 a browser gets comes from nginx's not-modified filter;
which path nginx took is read from its log ($upstream_addr and $upstream_status by request id)."""

from __future__ import annotations

import shutil
import time
import uuid

import requests

from tests.prodcheck.client import Browser
from tests.prodcheck.failover import ID_HEADER, nginx_log
from tests.prodcheck.report import expect
from tests.prodcheck.stack import Stack

PATHS = ("/projects/", "/tenders/")
# A gzip client gets Django's stored gzip copy (ETag "…-gzip"); a plain one the plain page.
CLIENTS = {"gzip": "gzip, deflate, br", "plain": "identity"}
# deploy/env.example leaves PUBLIC_CACHE_PROXY_SECONDS at its default: X-Accel-Expires 5.
PROXY_SECONDS = 5


def _get(browser: Browser, path: str, encoding: str, **validators: str) -> tuple[str, requests.Response]:
    request_id = uuid.uuid4().hex
    headers = {"Accept-Encoding": CLIENTS[encoding], ID_HEADER: request_id}
    if "etag" in validators:
        headers["If-None-Match"] = validators["etag"]
    if "modified" in validators:
        headers["If-Modified-Since"] = validators["modified"]
    return request_id, browser.get(path, headers=headers)


def _path_taken(stack: Stack, request_id: str) -> str:
    """How nginx answered: from its copy ("hit"), after asking Django for the page ("miss"), or
    after Django confirmed its expired copy ("revalidated")."""
    for _attempt in range(20):  # the log line is written once the response went out
        logged = nginx_log(stack).get(request_id)
        if logged is not None:
            if logged.upstreams == ["-"]:
                return "hit"
            return "revalidated" if logged.upstream_statuses[-1] == "304" else "miss"
        time.sleep(0.05)
    return "not logged"


def _expect_304(stack: Stack, browser: Browser, path: str, encoding: str, held: dict[str, str], way: str) -> str:
    request_id, answer = _get(browser, path, encoding, **held)
    taken = _path_taken(stack, request_id)
    expect(
        answer.status_code == 304 and not answer.content,
        f"{path} ({encoding}) with If-None-Match {held['etag']} ({way}, nginx: {taken}) answered "
        f"{answer.status_code}, not 304",
    )
    expect(taken == way, f"{path} ({encoding}): expected a microcache {way}, nginx's log says {taken}")
    # nginx weakens the ETag of a page it compresses itself (W/), on the 200 only.
    etag = answer.headers.get("ETag", "")
    expect(etag.removeprefix("W/") == held["etag"].removeprefix("W/"), f"{path} ({encoding}): the 304 carries {etag!r}")
    return f"{path} ({encoding}) If-None-Match -> 304 ({way})"


def revalidation(stack: Stack, browser: Browser) -> list[str]:
    lines: list[str] = []
    held: dict[tuple[str, str], dict[str, str]] = {}
    for path in PATHS:
        for encoding in CLIENTS:
            _id, answer = _get(browser, path, encoding)
            etag, modified = answer.headers.get("ETag"), answer.headers.get("Last-Modified")
            expect(answer.status_code == 200 and etag and modified, f"{path} ({encoding}): {answer.status_code}, "
                   f"ETag {etag!r}, Last-Modified {modified!r}")  # fmt: skip
            expect(etag.endswith('-gzip"') == (encoding == "gzip") or etag.startswith("W/"),
                   f"{path} ({encoding}): ETag {etag} is not this encoding's")  # fmt: skip
            held[path, encoding] = {"etag": etag}
            lines.append(f"GET {path} ({encoding}) -> 200, ETag {etag}")
            lines.append(_expect_304(stack, browser, path, encoding, held[path, encoding], "hit"))
            # As a browser asks: both validators.
            both = {"etag": etag, "modified": modified}
            lines.append(_expect_304(stack, browser, path, encoding, both, "hit") + " with If-Modified-Since")
    # A miss: the microcache's files gone (nginx then asks Django for the whole page, and keeps it).
    for entry in (stack.tmp / "page-cache").iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for path in PATHS:
        for encoding in CLIENTS:
            lines.append(_expect_304(stack, browser, path, encoding, held[path, encoding], "miss"))
    # Expired copies: nginx revalidates them with Django (a 304 from Django) and answers 304.
    time.sleep(PROXY_SECONDS + 1.5)
    for path in PATHS:
        for encoding in CLIENTS:
            lines.append(_expect_304(stack, browser, path, encoding, held[path, encoding], "revalidated"))
    return lines
