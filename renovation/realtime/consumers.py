"""What every live WebSocket needs, whatever it shows: hostile frames, group membership, and the
channel layer going away.

- **Frames.** A binary frame, text that is not JSON (or nested too deep to parse), or a frame
  longer than ``frame_limit()`` is answered with ``{"type": "error", "code": "invalid"}``; the
  socket stays open. Only decoded JSON reaches ``receive_json``.
- **Groups.** ``join_group`` before ``accept``; the membership is renewed every third of the
  layer's ``group_expiry`` (so a member that was never discarded, e.g. of a killed process,
  leaves by itself) and discarded on every way out: a normal close, a send to a vanished client,
  the layer failing. A group keeps no dead members to push every later message to.
- **The layer failing** (Redis restarting or unreachable: ``redis.exceptions.RedisError``) never
  ends in a traceback or a socket closed without a frame. The socket is closed with 1012
  (service restart), and so is every other live socket of this process: a restarted Redis has
  lost their group memberships, so they would stay open and hear nothing. Clients reconnect with
  a jittered backoff and ask for what they missed (`since`), so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import weakref
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CLOSE_SERVICE_RESTART = 1012

# Every open live socket of this process, to close them all when the layer fails.
_open_sockets: weakref.WeakSet[LiveJsonConsumer] = weakref.WeakSet()


class InvalidFrame(Exception):
    """A frame that is not a JSON text message the protocol can read."""


def frame_limit() -> int:
    """The longest text frame read, in characters: any comment within COMMENT_MAX_LENGTH fits,
    however its client escapes it (at most six characters per character, \\uXXXX)."""
    return max(16384, settings.COMMENT_MAX_LENGTH * 6 + 1024)


def decode_frame(text_data: str | None) -> Any:
    """The JSON value of a text frame, or InvalidFrame. Never raises anything else."""
    if text_data is None:
        raise InvalidFrame("binary")
    if len(text_data) > frame_limit():
        raise InvalidFrame("too long")
    try:
        return json.loads(text_data)
    except (ValueError, RecursionError) as error:  # RecursionError: [[[[…]]]] nested too deep
        raise InvalidFrame("not JSON") from error


class LiveJsonConsumer(AsyncJsonWebsocketConsumer):
    language: str = settings.LANGUAGE_CODE
    group: str | None = None
    _accepted = False
    _closing = False
    _renewal: asyncio.Task | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except RedisError as error:
            await self._layer_failed(error)
        finally:
            # Every way out leaves the group, also those that never reach disconnect().
            await self.leave_group()
            _open_sockets.discard(self)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels runs close_old_connections() in the one shared sync thread before every
        # handler: for a forwarded event, a thread hop per reader per message, queued behind the
        # handshakes' database work. Forwarding touches no database, so it skips that.
        if message["type"] == "live.event":
            await self.live_event(message)
            return
        await super().dispatch(message)

    async def live_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    # --- groups ----------------------------------------------------------------------------

    async def join_group(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.group = group
        self._renewal = asyncio.create_task(self._renew_membership())

    async def leave_group(self) -> None:
        """Idempotent; a failure is logged (the member then expires after group_expiry)."""
        if self._renewal is not None:
            self._renewal.cancel()
            self._renewal = None
        group, self.group = self.group, None
        if group is None:
            return
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except RedisError as error:
            name = type(error).__name__
            logger.warning("leaving %s failed (%s: %s); the member expires by itself", group, name, error)

    async def _renew_membership(self) -> None:
        period = getattr(self.channel_layer, "group_expiry", 86400) / 3
        try:
            while self.group is not None:
                await asyncio.sleep(period * random.uniform(0.8, 1.0))  # spreads the renewals
                await self.channel_layer.group_add(self.group, self.channel_name)
        except RedisError as error:
            self._renewal = None  # this task; leave_group must not cancel it under itself
            await self._layer_failed(error)

    # --- accepting and closing ---------------------------------------------------------------

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        await super().accept(subprotocol, headers)
        self._accepted = True
        _open_sockets.add(self)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if self._closing:
            return
        self._closing = True
        _open_sockets.discard(self)
        # The client may already be gone (uvicorn raises ClientDisconnected, an OSError) or the
        # server may have closed it (RuntimeError): either way it is closed.
        with contextlib.suppress(OSError, RuntimeError):
            await super().close(code, reason)

    async def _layer_failed(self, error: RedisError) -> None:
        others = [socket for socket in _open_sockets if socket is not self and not socket._closing]
        logger.warning(
            "channel layer failed (%s: %s): closing %d live socket(s) with %d so they reconnect and catch up",
            type(error).__name__,
            error,
            len(others) + 1,
            CLOSE_SERVICE_RESTART,
        )
        await self.close(code=CLOSE_SERVICE_RESTART)
        for socket in others:
            await socket.close(code=CLOSE_SERVICE_RESTART)

    # --- frames -------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            content = decode_frame(text_data)
        except InvalidFrame:
            await self.send_error("invalid", None, None)
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, code: str, text: str | None, content: Any) -> None:
        """``{"type": "error", …}`` in the reader's language; the socket stays open."""
        if text is None:
            with translation.override(self.language):
                text = translation.gettext("The message could not be understood.")
        client_id = content.get("client_id") if isinstance(content, dict) else None
        if not (isinstance(client_id, str) and len(client_id) <= 64):
            client_id = None  # echo only what could be the page's own id
        await self.send_json({"type": "error", "code": code, "message": text, "client_id": client_id})
