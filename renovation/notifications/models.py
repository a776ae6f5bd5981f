"""In-app notifications: what changed for a user, with a link to it. E-mail copies go out too."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # When the copies went out (background jobs); a retried job sends only what is still missing.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    texted_at = models.DateTimeField(_("sent by SMS"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class FollowKind(models.TextChoices):
    """What followers of a project or a street hear about."""

    PROGRESS = "progress", pgettext_lazy("follow", "Confirmed progress")
    TENDER_RESULT = "tender_result", pgettext_lazy("follow", "Tender result")
    NOTICE = "notice", pgettext_lazy("follow", "Notice")


class Follow(models.Model):
    """A signed-in user follows one project or one street (every project in it) and is notified of
    its confirmed progress, tender results and notices. Exactly one of ``project`` and ``street``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows", verbose_name=_("user")
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("project"),
    )
    street = models.ForeignKey(
        "places.Street",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("street"),
    )
    created_at = models.DateTimeField(_("followed since"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("follow", "follow")
        verbose_name_plural = pgettext_lazy("follow", "follows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False, street__isnull=True)
                | models.Q(project__isnull=True, street__isnull=False),
                name="follow_project_xor_street",
            ),
            models.UniqueConstraint(
                fields=["user", "project"], condition=models.Q(project__isnull=False), name="follow_unique_project"
            ),
            models.UniqueConstraint(
                fields=["user", "street"], condition=models.Q(street__isnull=False), name="follow_unique_street"
            ),
        ]

    def __str__(self) -> str:
        return str(self.project or self.street)
