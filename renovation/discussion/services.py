"""Posting, editing, moderating and flagging comments. Every change is written with an event in
the thread's log, in one transaction, and published to the live group after it commits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.changelog.records import save_recorded
from renovation.projects.models import Project
from renovation.public.cache import Change, pages_changed
from renovation.realtime.events import issue_group, project_group, publish
from renovation.supervision.models import SiteIssue

from .models import Comment, CommentFlag, Thread, ThreadEvent
from .permissions import can_edit_comment, can_moderate, can_post
from .selectors import comment_message


class RateLimited(ValidationError):
    code = "rate_limited"


def thread_for_project(project: Project) -> Thread:
    thread, _created = Thread.objects.get_or_create(project=project)
    return thread


def thread_for_issue(issue: SiteIssue) -> Thread:
    thread, _created = Thread.objects.get_or_create(site_issue=issue)
    return thread


def thread_group(thread: Thread) -> str:
    return project_group(thread.project_id) if thread.project_id else issue_group(thread.site_issue_id)


def _record(comment: Comment, kind: str) -> None:
    event = ThreadEvent.objects.create(thread_id=comment.thread_id, kind=kind, comment=comment)
    publish(thread_group(comment.thread), comment_message(comment, kind=kind, event_id=event.pk))
    if comment.thread.project_id is not None:
        pages_changed(Change.COMMENT, project_id=comment.thread.project_id)


def comment_author_renamed(*, user: Any, **_signal: Any) -> None:
    """An author's shown name changed (``accounts.signals.display_name_changed``): every public
    page that shows one of their comments, kept or cached, is out of date. Comments on a site
    issue's thread are shown with that issue on its project's pages."""
    threads = Thread.objects.filter(comments__author=user)
    project_ids = {
        project_id
        for pair in threads.values_list("project_id", "site_issue__project_id").distinct()
        for project_id in pair
        if project_id is not None
    }
    if project_ids:
        pages_changed(Change.COMMENT, project_ids=project_ids)


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something before posting.")})
    if "\x00" in text or any("\ud800" <= character <= "\udfff" for character in text):
        # A NUL or a lone surrogate (JSON can carry "\ud800") cannot be stored as text.
        raise ValidationError({"text": _("The text contains characters that cannot be saved.")})
    if len(text) > settings.COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("A comment can be at most %(limit)s characters long.") % {"limit": settings.COMMENT_MAX_LENGTH}}
        )
    return text


def comment_post(
    *, actor: Any, thread: Thread, text: str, client_id: uuid.UUID | str | None = None
) -> tuple[Comment, bool]:
    """Post a comment; returns (comment, created). A retry with the same client id returns the
    comment already posted instead of a second one."""
    if not can_post(actor, thread):
        raise PermissionDenied(_("Sign in to take part in this discussion."))
    if client_id is not None and not isinstance(client_id, uuid.UUID):
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError as error:
            raise ValidationError({"client_id": _("The message id is not valid.")}) from error
    if client_id is not None:
        existing = Comment.objects.filter(author=actor, client_id=client_id).select_related("author").first()
        if existing is not None:
            return existing, False
    text = _clean_text(text)
    limit = settings.COMMENT_RATE_LIMIT_PER_MINUTE
    recent = Comment.objects.filter(author=actor, created_at__gte=timezone.now() - timedelta(minutes=1)).count()
    if recent >= limit:
        raise RateLimited(
            _("You are posting too fast: at most %(limit)s comments a minute. Please wait a moment.")
            % {"limit": limit},
            code="rate_limited",
        )
    comment = Comment(thread=thread, author=actor, text=text, client_id=client_id)
    try:
        with transaction.atomic():
            save_recorded(comment, actor=actor, reason="comment_post")
            _record(comment, ThreadEvent.Kind.COMMENT)
    except IntegrityError:
        # The same client id raced in from another worker: that comment stands.
        existing = Comment.objects.filter(author=actor, client_id=client_id).select_related("author").first()
        if existing is None:
            raise
        return existing, False
    return comment, True


def comment_edit(*, actor: Any, comment: Comment, text: str) -> Comment:
    if not can_edit_comment(actor, comment):
        raise PermissionDenied(
            _("Only the author can edit a comment, within %(minutes)s minutes of posting it.")
            % {"minutes": settings.COMMENT_EDIT_MINUTES}
        )
    comment.text = _clean_text(text)
    comment.edited_at = timezone.now()
    with transaction.atomic():
        save_recorded(comment, actor=actor, reason="comment_edit")
        _record(comment, ThreadEvent.Kind.EDITED)
    return comment


def comment_hide(*, actor: Any, comment: Comment, reason: str) -> Comment:
    if not can_moderate(actor, comment.thread):
        raise PermissionDenied(_("Only the street office or the housing bureau may moderate this discussion."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; it is shown in place of the comment.")})
    comment.hidden, comment.hidden_reason, comment.hidden_by = True, reason[:200], actor
    with transaction.atomic():
        save_recorded(comment, actor=actor, reason="comment_hide")
        _record(comment, ThreadEvent.Kind.HIDDEN)
    return comment


def comment_unhide(*, actor: Any, comment: Comment) -> Comment:
    if not can_moderate(actor, comment.thread):
        raise PermissionDenied(_("Only the street office or the housing bureau may moderate this discussion."))
    comment.hidden, comment.hidden_reason, comment.hidden_by = False, "", None
    with transaction.atomic():
        save_recorded(comment, actor=actor, reason="comment_unhide")
        _record(comment, ThreadEvent.Kind.UNHIDDEN)
    return comment


def comment_flag(*, actor: Any, comment: Comment, reason: str = "") -> CommentFlag:
    if not can_post(actor, comment.thread):
        raise PermissionDenied(_("Sign in to report a comment."))
    flag, _created = CommentFlag.objects.get_or_create(
        comment=comment, user=actor, defaults={"reason": (reason or "").strip()[:200]}
    )
    return flag
