"""Staff roles. A user's role decides what they may do; a street role is bound to one street."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords


class StaffRole(models.TextChoices):
    BUREAU = "bureau", _("Housing bureau staff (住建局)")
    STREET = "street", _("Street office staff (街道)")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    street = models.ForeignKey(
        "places.Street",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_profiles",
        verbose_name=_("street"),
        help_text=_("Required for street office staff; they see and edit only this street."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="bureau") | models.Q(street__isnull=False),
                name="staffprofile_street_role_has_street",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.role == StaffRole.STREET and not self.street_id:
            raise ValidationError({"street": _("Street office staff must belong to a street.")})


class SessionRecord(models.Model):
    """The session keys a user signed in with, so that ending a user's sessions (deactivation,
    a changed password) finds them directly instead of decoding every session in the store.

    Not a domain record: no history; rows go when their session is ended.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)

    class Meta:
        verbose_name = _("session record")
        verbose_name_plural = _("session records")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.created_at:%Y-%m-%d %H:%M}"


# Accounts keep their history too (who deactivated whom, renamed, changed an e-mail, and why),
# without the password hash or the sign-in time.
register(
    User,
    app="renovation.accounts",
    table_name="accounts_historicaluser",
    excluded_fields=["password", "last_login"],
    user_related_name="+",
)
