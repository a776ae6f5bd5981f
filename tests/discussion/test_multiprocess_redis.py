"""Live threads across real server processes sharing one Redis channel layer.

WebsocketCommunicator runs the consumer inside the test process, where even the in-memory layer
fans out. Only separate uvicorn processes prove that channels_redis carries a post from the
worker that saved it to readers on another worker, and that a reader whose worker died catches up
through `since` with nothing lost or doubled (DESIGN.md, "Architecture").

The servers read the test database, so it must be PostgreSQL and every row the test relies on
must be committed first: transactional tests only.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import ClientConnection

from renovation.discussion.models import Comment
from tests.discussion.servers import RECEIVE_TIMEOUT, AsgiServer, database_url

REDIS_URL = getattr(settings, "REDIS_URL", None) or ""
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
QUIET_SECONDS = 7.0  # longer than channels_redis's blocking read of the channel (brpop_timeout, 5 s)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (REDIS_URL and ON_POSTGRES),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL: the server processes share the channel "
        "layer and the test database (an in-memory SQLite database cannot be shared)",
    ),
]


@pytest.fixture
def servers(transactional_db: None, tmp_path: Path) -> Iterator[tuple[AsgiServer, AsgiServer]]:
    """Fresh servers per test, stopped before the database is flushed: the flush recreates the
    content types under new ids, and a server that outlived it would write stale ones."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,  # the tests' own; renovation.asgi only sets a default
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
    }
    pair = (AsgiServer(env, tmp_path / "a.log"), AsgiServer(env, tmp_path / "b.log"))
    try:
        for server in pair:
            server.launch()  # both boot at once; Django's start-up is most of the wait
        for server in pair:
            server.wait_until_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture
def author_session(cast) -> str:
    client = Client()
    client.force_login(cast.supervisor)
    return client.cookies["sessionid"].value


async def _receive(websocket: ClientConnection, timeout: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(websocket.recv(), timeout))


async def _post(author: ClientConnection, text: str, client_id: str | None = None) -> dict[str, Any]:
    """Post and wait for the author's own copy from the group: the post is saved and published."""
    client_id = client_id or str(uuid.uuid4())
    await author.send(json.dumps({"type": "post", "text": text, "client_id": client_id}))
    while True:
        message = await _receive(author)
        assert message["type"] != "error", message
        if message.get("client_id") == client_id:
            return message


async def test_it_delivers_a_post_on_one_server_to_a_reader_on_the_other(servers, project_thread, author_session):
    server_a, server_b = servers
    async with server_a.socket(project_thread, author_session) as author, server_b.socket(project_thread) as reader:
        posted = await _post(author, "3幢楼道灯坏了")
        received = await _receive(reader)
    assert received == posted
    assert (received["type"], received["text"], received["author"]) == ("comment", "3幢楼道灯坏了", "陈阿姨")


async def test_it_saves_a_retry_through_the_other_server_once(servers, project_thread, author_session):
    server_a, server_b = servers
    async with server_a.socket(project_thread, author_session) as author, server_b.socket(project_thread) as reader:
        posted = await _post(author, "雨水管漏水")
        await _receive(reader)
        async with server_b.socket(project_thread, author_session) as retrying:
            # The phone lost its connection to A before the answer came back and resent through B.
            again = await _post(retrying, "雨水管漏水", client_id=posted["client_id"])
        assert again["id"] == posted["id"]
        with pytest.raises(TimeoutError):
            await _receive(reader, timeout=0.5)  # the group heard the post once, not twice
    assert await sync_to_async(Comment.objects.filter(thread=project_thread).count)() == 1


async def test_a_reader_whose_server_restarted_gets_everything_it_missed_once_in_order(
    servers, project_thread, author_session
):
    server_a, server_b = servers
    async with server_a.socket(project_thread, author_session) as author:
        async with server_b.socket(project_thread) as reader:
            await _post(author, "开工通知")
            last_seen = await _receive(reader)
            await asyncio.to_thread(server_b.stop)
        missed = [await _post(author, f"第{n}次进度") for n in range(1, 6)]
    await asyncio.to_thread(server_b.start)
    async with server_b.socket(project_thread) as reader:
        await reader.send(json.dumps({"type": "since", "last_id": last_seen["id"]}))
        replayed = []
        while (message := await _receive(reader))["type"] != "status":
            replayed.append(message)
    assert [(m["id"], m["text"]) for m in replayed] == [(m["id"], m["text"]) for m in missed]


async def test_it_keeps_a_reader_on_a_quiet_thread_connected(servers, project_thread, author_session):
    """channels_redis waits for messages with a blocking read of up to 5 s; a Redis client whose
    socket timeout is no longer than that (redis-py 8's default is 5 s) gives up first, and the
    consumer waiting on the read dies: one idle socket per process every 5 s."""
    server_a, server_b = servers
    async with server_b.socket(project_thread) as reader:
        await asyncio.sleep(QUIET_SECONDS)
        assert reader.close_code is None, (
            f"the server closed a quiet socket ({reader.close_code}):\n{server_b.stderr()}"
        )
        async with server_a.socket(project_thread, author_session) as author:
            posted = await _post(author, "周末停水通知")
        assert await _receive(reader) == posted
