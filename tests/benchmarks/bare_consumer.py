"""The baseline of bench_live_threads.py: a Channels app that does nothing but fan out.

One route, /ws/bare/, whose consumer joins the group "bench-bare" and forwards `live.event`
messages exactly as renovation/discussion/consumers.py does: no session, no origin check, no
database, no permissions. Served by uvicorn with the project's settings, so the channel layer is
the same channels_redis configuration (REDIS_URL, capacity, expiry):

    DJANGO_SETTINGS_MODULE=renovation.settings.test REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m uvicorn tests.benchmarks.bare_consumer:application --port 8001
"""

from __future__ import annotations

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.test")
django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bench-bare"


class BareConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def live_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])


application = ProtocolTypeRouter({"websocket": URLRouter([path("ws/bare/", BareConsumer.as_asgi())])})
