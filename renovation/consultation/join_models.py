"""一户一码: one-time join codes printed per household, and the accounts that joined with them.

A household links at most ``HOUSEHOLD_MAX_ACCOUNTS`` accounts: staff's hand link
(``Household.resident``) and every ``HouseholdMember`` count. Join codes are stored hashed; the
printed letter is the only place a code exists in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class JoinCode(models.Model):
    household = models.ForeignKey(
        "consultation.Household", on_delete=models.CASCADE, related_name="join_codes", verbose_name=_("household")
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    revoked_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["code_hash"])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("join code")
        verbose_name_plural = _("join codes")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="joincode_one_live_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.issued_at:%Y-%m-%d}"


class HouseholdMember(models.Model):
    """An account that joined a household with its code, and the privacy consent it gave."""

    household = models.ForeignKey(
        "consultation.Household", on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="household_memberships",
        verbose_name=_("account"),
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    join_code = models.ForeignKey(
        JoinCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("join code")
    )
    consent_at = models.DateTimeField(_("privacy consent given"))
    consent_version = models.CharField(_("privacy notice version"), max_length=16)

    history = HistoricalRecords()

    class Meta:
        ordering = ["household", "joined_at"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [models.UniqueConstraint(fields=["household", "user"], name="householdmember_once")]

    def __str__(self) -> str:
        return f"{self.household} · {self.user}"


class JoinAttempt(models.Model):
    """A failed join-code entry, counted per address so codes cannot be guessed (shared by all
    processes through the database). Security records: no history."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]
        verbose_name = _("failed join attempt")
        verbose_name_plural = _("failed join attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"
