"""The sign-in lock lives in the database: five failures on one server process lock the account on
another process too (DESIGN.md: app nodes are stateless).

Two gunicorn processes serve the test database, so it must be PostgreSQL (an in-memory SQLite
test database cannot be shared) and the account must be committed first: a transactional test.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
START_TIMEOUT = 60.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs a PostgreSQL DATABASE_URL: the server processes share the test database "
        "(an in-memory SQLite test database cannot be shared)",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    host = urllib.parse.quote(db["HOST"] or "", safe="") + (f":{db['PORT']}" if db["PORT"] else "")
    return f"postgres://{auth}{'@' if auth else ''}{host}/{urllib.parse.quote(db['NAME'], safe='')}"


class Server:
    """One gunicorn process (one sync worker) serving renovation.wsgi."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "renovation.wsgi:application", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "60"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)

    def wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn on {self.port} exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        pytest.fail(f"gunicorn on {self.port} did not start:\n{self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Browser:
    """A cookie-keeping client that signs in like a person: fetch the form, post it with its CSRF token."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def sign_in(self, server: Server, username: str, password: str) -> tuple[int, str]:
        with self.opener.open(f"{server.base}/accounts/login/", timeout=20) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        request = urllib.request.Request(
            f"{server.base}/accounts/login/", data=body.encode(), headers={"Referer": f"{server.base}/accounts/login/"}
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def servers(transactional_db: None, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "DATABASE_URL": _database_url()}
    pair = (Server(env, tmp_path / "a.log"), Server(env, tmp_path / "b.log"))
    try:
        for server in pair:
            server.launch()
        for server in pair:
            server.wait_until_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()


def test_it_holds_the_lock_across_two_server_processes(servers):
    first, second = servers
    UserFactory(username="clerk", password="Right-Password-1")
    # The right password works on either process before any failure.
    assert Browser().sign_in(second, "clerk", "Right-Password-1")[0] == 302
    attacker = Browser()
    for _ in range(5):
        status, _page = attacker.sign_in(first, "clerk", "wrong")
        assert status in (200, 429)
    status, page = Browser().sign_in(second, "clerk", "Right-Password-1")
    assert status == 429
    assert "登录失败次数过多" in page
