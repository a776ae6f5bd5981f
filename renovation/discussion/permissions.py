"""Who may read, post in and moderate a thread. The consumer, the views and the services ask these."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from renovation.accounts.permissions import can_manage_street, is_staff_member
from renovation.supervision.permissions import can_view_issue

from .models import Comment, Thread


def _is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def _street_id(thread: Thread) -> int:
    project = thread.project if thread.project_id else thread.site_issue.project
    return project.neighbourhood.community.street_id


def can_read_thread(user: Any, thread: Thread) -> bool:
    """Project threads are public; an issue's working thread is for the people on the issue."""
    if thread.is_public:
        return True
    return _is_signed_in(user) and can_view_issue(user, thread.site_issue)


def can_post(user: Any, thread: Thread) -> bool:
    return _is_signed_in(user) and can_read_thread(user, thread)


def can_moderate(user: Any, thread: Thread) -> bool:
    """Street staff moderate the threads of their street's projects; the bureau all of them."""
    return is_staff_member(user) and can_manage_street(user, _street_id(thread))


def can_edit_comment(user: Any, comment: Comment, now: Any = None) -> bool:
    now = now or timezone.now()
    window = timedelta(minutes=settings.COMMENT_EDIT_MINUTES)
    return (
        _is_signed_in(user)
        and comment.author_id == user.pk
        and not comment.hidden
        and now - comment.created_at <= window
    )
