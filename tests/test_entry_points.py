"""Both production entry points serve the same code: WSGI for HTTP, ASGI for WebSockets (and HTTP)."""

import io

import pytest
from channels.testing import HttpCommunicator


def test_the_wsgi_application_serves_http(db):
    from renovation.wsgi import application

    captured = {}

    def start_response(status: str, headers: list) -> None:
        captured["status"] = status

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(application(environ, start_response))
    assert captured["status"].startswith("200")
    assert b'"ok"' in body


@pytest.mark.asyncio
async def test_the_asgi_application_serves_http():
    from renovation.asgi import application

    response = await HttpCommunicator(application, "GET", "/healthz").get_response()
    assert response["status"] == 200
