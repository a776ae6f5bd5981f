import contextlib
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from renovation.discussion.services import thread_for_issue, thread_for_project


@pytest.fixture
def project_thread(cast):
    return thread_for_project(cast.project)


@pytest.fixture
def issue_thread(cast, reported_issue):
    return thread_for_issue(reported_issue())


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest_asyncio.fixture
async def connect():
    """Open a socket on the real ASGI application (auth, origin check, routing), as ``user``."""
    opened: list[WebsocketCommunicator] = []

    async def _connect(thread: Any, user: Any = None, *, origin: bytes = b"http://testserver"):
        from renovation.asgi import application

        headers = [(b"origin", origin), (b"host", b"testserver")]
        if user is not None:
            cookie = await sync_to_async(_session_cookie)(user)
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        communicator = WebsocketCommunicator(application, f"/ws/threads/{thread.pk}/", headers=headers)
        connected, code = await communicator.connect()
        opened.append(communicator)
        return communicator, connected, code

    yield _connect
    # Always disconnect, even when a test failed half-way (a refused socket is already closed).
    for communicator in opened:
        with contextlib.suppress(Exception):
            await communicator.disconnect()
