"""The one way to publish live events: after the transaction commits, to a Channels group.

Nothing is published for a change that rolls back. channels_redis drops messages for a full
channel without raising, so a publish is best-effort by design; clients that reconnect ask for
everything after the last event they saw (see renovation/discussion/consumers.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def project_group(project_id: int) -> str:
    return f"project-{project_id}"


def issue_group(issue_id: int) -> str:
    return f"issue-{issue_id}"


def publish(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` (a JSON-able dict for the browser) to ``group`` once the current
    transaction commits; immediately when there is none."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            _run_sync(layer.group_send, group, {"type": "live.event", "message": message})
        except RedisError as error:  # Redis down or restarting: readers catch up when they reconnect
            logger.warning("publishing %s to %s failed: %s", message.get("type"), group, error)
        except Exception:  # a live update must never undo or fail the change it reports
            logger.exception("publishing %s to %s failed", message.get("type"), group)

    transaction.on_commit(send)


def _run_sync(coroutine_function: Any, *args: Any) -> None:
    """Run a coroutine function from sync code. Services normally run in a thread without an event
    loop (WSGI, sync_to_async); when sync code runs on a thread whose loop is busy (a sync caller
    inside an async framework), async_to_sync refuses, so hand the call to a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(coroutine_function)(*args)
        return
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            async_to_sync(coroutine_function)(*args)
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=worker, name="realtime-publish")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
