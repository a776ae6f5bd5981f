"""Discussion threads: one public thread per project, one working thread per site issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Thread(models.Model):
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread",
        verbose_name=_("project"),
    )
    site_issue = models.OneToOneField(
        "supervision.SiteIssue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread",
        verbose_name=_("site issue"),
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(site_issue__isnull=True))
                | (Q(project__isnull=True) & Q(site_issue__isnull=False)),
                name="thread_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return str(self.project or self.site_issue)

    @property
    def is_public(self) -> bool:
        return self.project_id is not None


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="comments", verbose_name=_("thread"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", verbose_name=_("author")
    )
    text = models.TextField(_("comment"), max_length=2000)
    # The browser's id for this post: a retried post with the same id is the same comment.
    client_id = models.UUIDField(_("client id"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["thread", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"], name="comment_once_per_client_id", condition=Q(client_id__isnull=False)
            )
        ]
        indexes = [models.Index(fields=["author", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:40]}"


class CommentFlag(models.Model):
    """A reader's report that a comment breaks the rules; moderators see flagged comments first."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("comment"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_user")]

    def __str__(self) -> str:
        return f"{self.comment_id} ← {self.user_id}"


class ThreadEvent(models.Model):
    """Append-only log of what happened in a thread, in order. Its id is the sequence number a
    reconnecting client sends back, so it can be given everything it missed."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment posted")
        EDITED = "comment_edited", _("comment edited")
        HIDDEN = "comment_hidden", _("comment hidden")
        UNHIDDEN = "comment_unhidden", _("comment shown again")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["thread", "pk"]
        indexes = [models.Index(fields=["thread", "id"])]

    def __str__(self) -> str:
        return f"{self.thread_id}/{self.pk} {self.kind}"
