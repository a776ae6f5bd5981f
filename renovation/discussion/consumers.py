"""WebSocket endpoint of a discussion thread: /ws/threads/<thread_id>/ (protocol in README).

Thin on purpose: authenticate (the page's Django session), authorise with the same helpers as the
views, join the thread's group, then forward events and hand posts to the same service the
HTTP form uses. Database work runs in threads through database_sync_to_async. Hostile frames,
group membership and the channel layer failing are handled by LiveJsonConsumer
(renovation/realtime/consumers.py).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from renovation.operations.metrics import websocket_closed, websocket_opened
from renovation.projects.models import Project
from renovation.realtime.consumers import LiveJsonConsumer
from renovation.realtime.messages import issue_status_message, project_status_message
from renovation.supervision.models import SiteIssue

from .models import Thread
from .permissions import can_read_thread
from .selectors import comment_message, messages_since
from .services import RateLimited, comment_post, thread_group

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
# Ids in `since` are PostgreSQL bigints; a larger number would fail in the database, not here.
MAX_ID = 2**63 - 1


SENT_EVENTS_KEPT = 1000


class ThreadConsumer(LiveJsonConsumer):
    thread: Thread | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Event ids this socket was sent. A reconnecting client's `since` replay and the live
        # events of the group it has just joined overlap; each event goes out once.
        self.sent_events: set[int] = set()

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        chosen = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
        self.language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        thread_id = self.scope["url_route"]["kwargs"]["thread_id"]
        self.thread = await self._load_thread(thread_id)
        if self.thread is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not await database_sync_to_async(can_read_thread)(self.user, self.thread):
            # Private threads refuse the handshake to anyone not entitled.
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join_group(thread_group(self.thread))
        await self.accept()
        websocket_opened(self)

    async def disconnect(self, code: int) -> None:
        websocket_closed(self)
        await self.leave_group()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "post":
            await self._post(content)
        elif kind == "since":
            await self._since(content)
        else:
            await self.send_error("invalid", None, content)

    async def live_event(self, event: dict[str, Any]) -> None:
        if self._first_sending(event["message"]):
            await self.send_json(event["message"])

    # --- helpers ---------------------------------------------------------------------------

    @database_sync_to_async
    def _load_thread(self, thread_id: int) -> Thread | None:
        return (
            Thread.objects.select_related(
                "project__neighbourhood__community",
                "site_issue__project__neighbourhood__community",
                "site_issue__reporter",
            )
            .filter(pk=thread_id)
            .first()
        )

    async def _post(self, content: dict[str, Any]) -> None:
        text = content.get("text")
        if not isinstance(text, str):
            await self.send_error("invalid", None, content)
            return
        try:
            comment, created = await self._call_post(text, content.get("client_id"))
        except RateLimited as error:
            await self.send_error("rate_limited", error.messages[0], content)
        except PermissionDenied as error:
            await self.send_error("not_allowed", str(error), content)
        except ValidationError as error:
            await self.send_error("invalid", "; ".join(error.messages), content)
        else:
            if not created:
                # A retry of a post already saved: answer this socket; the group heard it once.
                await self.send_json(await self._message(comment))

    @database_sync_to_async
    def _call_post(self, text: str, client_id: Any) -> tuple[Any, bool]:
        with translation.override(self.language):
            return comment_post(actor=self.user, thread=self.thread, text=text, client_id=client_id)

    @database_sync_to_async
    def _message(self, comment: Any) -> dict[str, Any]:
        return comment_message(comment, kind="comment", event_id=None)

    async def _since(self, content: dict[str, Any]) -> None:
        last_event_id = content.get("last_event_id")
        last_id = content.get("last_id")
        if not all(_is_id(value) for value in (last_event_id, last_id)):
            await self.send_error("invalid", None, content)
            return
        for message in await self._replay(last_event_id, last_id):
            # A replay by comment id stamps every message with the latest event id: not an event.
            if last_event_id is None or self._first_sending(message):
                await self.send_json(message)

    def _first_sending(self, message: dict[str, Any]) -> bool:
        event_id = message.get("event_id")
        if not isinstance(event_id, int):  # status messages, answers to a retried post
            return True
        if event_id in self.sent_events:
            return False
        self.sent_events.add(event_id)
        if len(self.sent_events) > 2 * SENT_EVENTS_KEPT:  # older events never come again
            self.sent_events = set(sorted(self.sent_events)[-SENT_EVENTS_KEPT:])
        return True

    @database_sync_to_async
    def _replay(self, last_event_id: int | None, last_id: int | None) -> list[dict[str, Any]]:
        messages = messages_since(self.thread, last_event_id=last_event_id, last_id=last_id)
        status = status_message(self.thread, self.language)
        return [*messages, status] if status else messages


def _is_id(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID)


def status_message(thread: Thread, language: str) -> dict[str, Any] | None:
    """The current status of what the thread is about, sent after a catch-up so a client that
    missed a live status change still ends up right."""
    with translation.override(language):
        if thread.project_id:
            return project_status_message(Project.objects.get(pk=thread.project_id))
        return issue_status_message(SiteIssue.objects.get(pk=thread.site_issue_id))
