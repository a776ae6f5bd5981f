"""Liveness and readiness probes for load balancers and systemd/nginx checks."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _round_trip_channel_layer(timeout: float) -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("readyz.")
    try:
        await asyncio.wait_for(layer.send(channel, {"type": "readyz.ping"}), timeout)
        message = await asyncio.wait_for(layer.receive(channel), timeout)
        if message.get("type") != "readyz.ping":
            raise RuntimeError("channel layer returned an unexpected message")
    finally:
        # channels_redis keeps one connection pool per event loop; async_to_sync gives this
        # check a loop of its own, so close the pool before that loop goes away.
        close_pools = getattr(layer, "close_pools", None)
        if close_pools is not None:
            await close_pools()


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 only when the database and the channel layer both answer; else 503 naming what failed."""
    checks: dict[str, str] = {}
    try:
        _check_database()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready"; say which
        logger.warning("readyz: database check failed: %s", exc)
        checks["database"] = f"error: {exc.__class__.__name__}: {exc}"
    try:
        async_to_sync(_round_trip_channel_layer)(settings.READINESS_TIMEOUT_SECONDS)
        checks["channel_layer"] = "ok"
    except Exception as exc:
        logger.warning("readyz: channel layer check failed: %r", exc)
        checks["channel_layer"] = f"error: {exc.__class__.__name__}: {exc}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
