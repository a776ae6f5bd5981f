"""Reads of threads and the messages the live protocol sends."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from .models import Comment, Thread, ThreadEvent
from .permissions import can_edit_comment, can_moderate, can_post


def author_name(user: Any) -> str:
    return user.get_full_name() or user.first_name or user.get_username()


def comment_message(comment: Comment, *, kind: str, event_id: int | None) -> dict[str, Any]:
    """A comment as the browser receives it. A hidden comment never carries its text: the
    moderator's reason stands in its place."""
    return {
        "type": kind,
        "id": comment.pk,
        "event_id": event_id,
        "thread": comment.thread_id,
        "author": author_name(comment.author),
        "text": "" if comment.hidden else comment.text,
        "hidden": comment.hidden,
        "hidden_reason": comment.hidden_reason if comment.hidden else "",
        "created": comment.created_at.isoformat(),
        "edited": comment.edited_at.isoformat() if comment.edited_at else None,
        "client_id": str(comment.client_id) if comment.client_id else None,
    }


def project_thread(project: Any) -> Thread | None:
    """The project's public thread, or None before it was opened (reading never opens one)."""
    return Thread.objects.filter(project=project).annotate(latest_event_id=Max("events__pk")).first()


def issue_thread(issue: Any) -> Thread | None:
    """The site issue's thread, or None for an issue recorded before threads opened with their
    issue (reading never opens one)."""
    return Thread.objects.filter(site_issue=issue).first()


def thread_comments(thread: Thread) -> QuerySet[Comment]:
    return thread.comments.select_related("author").order_by("pk")


def latest_event_id(thread: Thread) -> int:
    if hasattr(thread, "latest_event_id"):  # project_thread reads it with the thread
        return thread.latest_event_id or 0
    return thread.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def messages_since(thread: Thread, *, last_event_id: int | None, last_id: int | None, limit: int = 500) -> list[dict]:
    """Everything a reconnecting client missed, in order, each comment as it is now.

    With ``last_event_id`` the client also learns of edits and hides of comments it had already
    seen; with only ``last_id`` it gets the comments posted after that one."""
    if last_event_id is not None:
        events = (
            ThreadEvent.objects.filter(thread=thread, pk__gt=last_event_id)
            .select_related("comment__author")
            .order_by("pk")[:limit]
        )
        return [comment_message(event.comment, kind=event.kind, event_id=event.pk) for event in events]
    comments = thread_comments(thread).filter(pk__gt=last_id or 0)[:limit]
    latest = latest_event_id(thread)
    return [comment_message(comment, kind="comment", event_id=latest) for comment in comments]


def flagged_first(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    return queryset.annotate(flag_count=Count("flags")).order_by("-flag_count", "-pk")


def thread_context(thread: Thread, user: Any, *, next_url: str) -> dict[str, Any]:
    """What the thread partial needs; one query for the comments, none per comment."""
    now = timezone.now()
    comments = list(thread_comments(thread))
    for comment in comments:
        comment.can_edit = can_edit_comment(user, comment, now=now)
    return {
        "thread": thread,
        "comments": comments,
        "can_post": can_post(user, thread),
        "can_moderate": can_moderate(user, thread),
        "last_id": comments[-1].pk if comments else 0,
        "last_event_id": latest_event_id(thread),
        "next_url": next_url,
    }
