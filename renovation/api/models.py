"""API keys: who may call the open-data API above the anonymous rate, and which supervisor's
account files site issues through Open311.

Only a keyed digest of each key is stored; the key itself is shown once, when staff issue it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RateTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PARTNER = "partner", _("Partner (high volume)")


class ApiKey(models.Model):
    name = models.CharField(_("what it is for"), max_length=120, help_text=_("e.g. 市住建局数据大屏"))
    organisation = models.CharField(_("organisation"), max_length=200)
    # The first characters of the key, kept in clear so staff can tell keys apart.
    prefix = models.CharField(_("key starts with"), max_length=12, unique=True, editable=False)
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    tier = models.CharField(_("rate tier"), max_length=16, choices=RateTier.choices, default=RateTier.STANDARD)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("acts as"),
        help_text=_(
            "A resident supervisor whose site issues this key may file through Open311; empty for read-only keys."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.organisation} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
