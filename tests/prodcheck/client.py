"""A browser's view of the site: HTTPS through nginx (or one node directly), CSRF, sessions,
and WebSockets speaking the thread protocol of README.md ("Live threads")."""

from __future__ import annotations

import json
import re
import ssl
from html import unescape
from pathlib import Path
from typing import Any

import requests
import websockets

from tests.prodcheck.deployfiles import HOST_NAME
from tests.prodcheck.report import CheckFailed, expect

ORIGIN = f"https://{HOST_NAME}"


class Browser:
    """One person's session. `base` is nginx's HTTPS port, or a node's gunicorn port (then the
    request says it came over HTTPS, as nginx would, through X-Forwarded-Proto)."""

    def __init__(self, base: str, cert: Path, *, via_node: bool = False) -> None:
        self.base = base
        self.session = requests.Session()
        # Only our certificate and no proxy: REQUESTS_CA_BUNDLE or HTTPS_PROXY in the caller's
        # environment would otherwise take precedence.
        self.session.trust_env = False
        self.session.verify = str(cert)
        self.session.headers["Host"] = HOST_NAME
        self.session.headers["Accept-Language"] = "zh-hans"
        if via_node:
            self.session.headers["X-Forwarded-Proto"] = "https"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base}{path}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return self.session.get(self.url(path), **kwargs)

    def post(self, path: str, data: dict[str, Any], *, referer: str | None = None, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        headers = {"Referer": f"{ORIGIN}{referer or path}", **kwargs.pop("headers", {})}
        return self.session.post(self.url(path), data=data, headers=headers, **kwargs)

    def csrf_from(self, path: str) -> str:
        page = self.get(path)
        expect(page.status_code == 200, f"GET {path} answered {page.status_code}")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        expect(match is not None, f"GET {path}: no CSRF token in the form")
        return match.group(1)

    def sign_in(self, username: str, password: str, *, path: str = "/accounts/login/") -> requests.Response:
        token = self.csrf_from(path)
        answer = self.post(path, {"csrfmiddlewaretoken": token, "username": username, "password": password})
        expect(
            answer.status_code == 302 and "sessionid" in self.session.cookies,
            f"sign-in as {username} at {path}: {answer.status_code}, session cookie "
            f"{'set' if 'sessionid' in self.session.cookies else 'missing'}",
        )
        return answer

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)

    def csrf_token(self) -> str:
        token = self.session.cookies.get("csrftoken")
        if not token:
            raise CheckFailed("no csrftoken cookie in the session")
        return token


def links(html: str, pattern: str) -> list[str]:
    return [unescape(m) for m in re.findall(rf'href="({pattern})"', html)]


async def open_thread_socket(
    *, port: int, thread_id: int, cert: Path | None, cookie: str = "", tls: bool = True
) -> websockets.ClientConnection:
    """A socket on a thread: through nginx (wss, tls=True) or straight to a node's uvicorn (ws)."""
    scheme = "wss" if tls else "ws"
    context = None
    if tls:
        context = ssl.create_default_context(cafile=str(cert))
    headers = {"Cookie": cookie} if cookie else {}
    return await websockets.connect(
        f"{scheme}://{HOST_NAME}:{port}/ws/threads/{thread_id}/",
        host="127.0.0.1",
        port=port,
        ssl=context,
        origin=ORIGIN,
        additional_headers=headers,
        open_timeout=20,
        ping_interval=None,
    )


async def receive_json(socket: websockets.ClientConnection, timeout: float) -> dict[str, Any]:
    import asyncio

    return json.loads(await asyncio.wait_for(socket.recv(), timeout))
