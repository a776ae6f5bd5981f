"""Reads for the notification pages and the follow switch."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Follow, Notification


def notifications_of(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def follows_of(user: Any) -> list[Follow]:
    """What the user follows, projects and streets, in one query."""
    return list(Follow.objects.filter(user=user).select_related("project", "street"))


def is_following(user: Any, *, project: Any = None, street: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    target = {"project": project} if project is not None else {"street": street}
    return Follow.objects.filter(user=user, **target).exists()
