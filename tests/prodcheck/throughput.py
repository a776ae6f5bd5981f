"""Requests per second through nginx to one app node (gunicorn, production settings, PostgreSQL),
for the sizing in deploy/README.md. Closed loop: C clients, each sends its next request when the
last one is answered; the clients run on the same machine and take some of its CPU."""

from __future__ import annotations

import threading
import time
import urllib.parse

from tests.prodcheck.checks import _thread_id
from tests.prodcheck.client import Browser
from tests.prodcheck.report import expect
from tests.prodcheck.stack import Stack

CLIENTS = 4


def _rate(stack: Stack, path: str, seconds: float) -> tuple[float, int]:
    stop = threading.Event()
    done: list[int] = [0] * CLIENTS
    failed: list[int] = [0] * CLIENTS

    def client(index: int) -> None:
        browser = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
        while not stop.is_set():
            answer = browser.get(path)
            if answer.status_code == 200:
                done[index] += 1
            else:
                failed[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - begun), sum(failed)


def measure(stack: Stack, seconds: float) -> list[str]:
    anonymous = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
    _, project = _thread_id(anonymous)
    lines = [f"{CLIENTS} closed-loop clients, {seconds:.0f} s per page, one node left "
             f"({stack.env.get('PRODCHECK_WEB_WORKERS', '')}gunicorn sync workers as templated)"]  # fmt: skip
    for path in ("/healthz", "/projects/", urllib.parse.quote(project, safe="/%")):
        rate, failed = _rate(stack, path, seconds)
        expect(failed == 0, f"{failed} requests failed while measuring {path}")
        lines.append(f"GET {urllib.parse.unquote(path)}: {rate:.0f} requests/s")
    return lines
