"""Verification codes sent by SMS, and the verified mobile number of a user.

A ``PhoneCode`` row is written for every send, also when nothing is delivered (an unknown number
at sign-in): the rows are what the rate limits count, in the database, so every worker process
sees the same counts. The number is kept only as a keyed digest there, the code only hashed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CodePurpose(models.TextChoices):
    JOIN = "join", _("Join with a household code")
    LOGIN = "login", _("Sign in")
    RESET = "reset", _("Reset the password")
    BIDDER_REGISTER = "bidder_register", _("Register a bidding company")


class PhoneCode(models.Model):
    # Security records, not domain history: short-lived and never edited by people, so no
    # HistoricalRecords (it would only copy hashes).
    number_digest = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=24, choices=CodePurpose.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [models.Index(fields=["ip", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class UserPhone(models.Model):
    """A user's mobile number, verified by an SMS code. One number belongs to one user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone", verbose_name=_("user")
    )
    number = models.CharField(_("mobile number"), max_length=11, unique=True)
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)
    sms_opt_in = models.BooleanField(
        _("notifications by SMS"),
        default=False,
        help_text=_("Send important notifications to this number as text messages too."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mobile number")
        verbose_name_plural = _("mobile numbers")

    def __str__(self) -> str:
        from .message import mask_number

        return f"{self.user} · {mask_number(self.number)}"
