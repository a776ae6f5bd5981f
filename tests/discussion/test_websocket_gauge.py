"""/metrics counts open WebSockets: up when a thread socket is accepted, down when it closes, and
never for a socket the consumer refused."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from renovation.operations.metrics import WEBSOCKETS_OPEN

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _open() -> float:
    return WEBSOCKETS_OPEN._value.get()


async def test_it_counts_open_sockets_up_and_down(connect, project_thread, issue_thread):
    before = _open()
    first, connected, _ = await connect(project_thread)
    second, _, _ = await connect(project_thread)
    assert connected and _open() == before + 2
    _, accepted, _ = await connect(issue_thread)  # a private thread, anonymous: refused
    assert not accepted and _open() == before + 2
    await first.disconnect()
    assert _open() == before + 1
    await second.disconnect()
    assert _open() == before
    text = await sync_to_async(lambda: Client().get("/metrics").content.decode())()
    assert f"renovation_websockets_open {before:.1f}" in text
