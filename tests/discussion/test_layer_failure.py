"""The channel layer failing (Redis restarting) under open sockets, with a layer that fails on
demand: no traceback, every live socket of the process closed with 1012 so it reconnects and
catches up, the group left empty; a handshake while the layer is down is refused, not a 500."""

from __future__ import annotations

import asyncio
import logging

import pytest
from channels.layers import InMemoryChannelLayer
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

import renovation.asgi  # noqa: F401 - django.setup() reconfigures logging: before caplog, not during a test
from renovation.discussion.services import thread_group

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

LAYER = {"default": {"BACKEND": "tests.discussion.test_layer_failure.FailingLayer"}}


class FailingLayer(InMemoryChannelLayer):
    """In-memory layer whose next receive fails like channels_redis's BZPOPMIN when Redis goes
    away (one receive: channels_redis reads a process's messages with one connection at a time),
    and whose group_add fails while ``down``."""

    instance: FailingLayer | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fail_next_receive = asyncio.Event()
        self.down = False
        FailingLayer.instance = self

    async def receive(self, channel):
        receiving = asyncio.ensure_future(super().receive(channel))
        failing = asyncio.ensure_future(self.fail_next_receive.wait())
        try:
            done, _ = await asyncio.wait({receiving, failing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            failing.cancel()
        if receiving in done:
            return receiving.result()
        self.fail_next_receive.clear()
        receiving.cancel()
        raise RedisConnectionError("Connection closed by server.")

    async def group_add(self, group, channel):
        if self.down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        await super().group_add(group, channel)


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_it_closes_every_live_socket_with_1012_when_the_layer_fails(connect, project_thread, caplog):
    first, _, _ = await connect(project_thread)
    second, _, _ = await connect(project_thread)
    layer = FailingLayer.instance
    assert len(layer.groups[thread_group(project_thread)]) == 2
    layer.fail_next_receive.set()  # one consumer's receive fails, as the one holding the Redis read
    closes = [await first.receive_output(timeout=2), await second.receive_output(timeout=2)]
    assert closes == [{"type": "websocket.close", "code": 1012}] * 2
    for communicator in (first, second):
        await communicator.send_input({"type": "websocket.disconnect", "code": 1012})
        await communicator.wait(timeout=2)  # ends without raising: no traceback
    assert thread_group(project_thread) not in layer.groups  # nobody left behind in the group
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("channel layer failed" in r.getMessage() for r in caplog.records)


@override_settings(CHANNEL_LAYERS=LAYER)
async def test_a_handshake_while_the_layer_is_down_is_refused_without_a_traceback(connect, project_thread, caplog):
    await connect(project_thread)  # builds the layer
    FailingLayer.instance.down = True
    _communicator, connected, code = await connect(project_thread)
    assert not connected and code == 1012
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
