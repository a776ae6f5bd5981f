"""Real server processes for the live-thread tests: uvicorn serving renovation.asgi:application
on a free port, sharing the test database (PostgreSQL) and a Redis channel layer."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
RECEIVE_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database (test_<name>) as a URL for the servers' settings."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="") + (f":{db['PORT']}" if db["PORT"] else "")
    return f"postgres://{auth}{'@' if auth else ''}{host}/{quote(db['NAME'], safe='')}"


class AsgiServer:
    """One uvicorn process serving renovation.asgi:application; restartable on the same port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = log  # a file, not a pipe: a pipe nobody reads would stall the server once full

    def start(self) -> None:
        self.launch()
        self.wait_until_ready()

    def launch(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "renovation.asgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--lifespan", "off", "--no-access-log"]
        command += ["--timeout-graceful-shutdown", "5"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)

    def wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"uvicorn on port {self.port} exited with {self.process.returncode}:\n{self.stderr()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"uvicorn on port {self.port} did not answer /healthz in {START_TIMEOUT:.0f} s:\n{self.stderr()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    @asynccontextmanager
    async def socket(self, thread: Any, session: str | None = None) -> AsyncIterator[ClientConnection]:
        headers = {"Cookie": f"sessionid={session}"} if session else None
        async with connect(
            f"ws://127.0.0.1:{self.port}/ws/threads/{thread.pk}/",
            origin=f"http://127.0.0.1:{self.port}",
            additional_headers=headers,
            open_timeout=RECEIVE_TIMEOUT,
        ) as websocket:
            yield websocket
