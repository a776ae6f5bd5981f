"""Writes on a resident's own account: a new password after an SMS code, closing the account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from renovation.accounts.permissions import is_staff_member
from renovation.accounts.signals import display_name, display_name_report
from renovation.consultation.models import Household, HouseholdMember
from renovation.notifications.models import Notification
from renovation.sms.auth import phone_sign_in_allowed
from renovation.sms.models import UserPhone
from renovation.sms.services import user_phone_remove


def account_password_reset_by_phone(*, number: str, password: str) -> Any:
    """Set a new password for the account of ``number`` (call after ``phone_code_verify``).
    Returns the user; changing the password ends the account's other sessions."""
    phone = UserPhone.objects.select_related("user").filter(number=number).first()
    if phone is None or not phone_sign_in_allowed(phone.user):
        raise ValidationError(_("The code is wrong or has expired. Request a new code."))
    user = phone.user
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def resident_account_close(*, actor: Any, user: Any) -> None:
    """Deactivate the account and remove its personal data. The household keeps its recorded
    answers (intents and votes belong to the household); the account stays only as an anonymous,
    inactive row so that comments and records that point at it keep their meaning."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("Only the account holder can close an account."))
    if user.is_superuser or user.is_staff or is_staff_member(user):
        raise PermissionDenied(_("Staff accounts are closed by the housing bureau."))
    with transaction.atomic():
        for household in Household.objects.select_for_update().filter(resident=user):
            household.resident = None
            household._history_user = actor
            household.save(update_fields=["resident"])
            update_change_reason(household, "resident_account_close")
        # Deleting writes a history row of its own: the history goes after the rows.
        HouseholdMember.objects.filter(user=user).delete()
        HouseholdMember.history.filter(user_id=user.pk).delete()
        user_phone_remove(user=user)
        Notification.objects.filter(recipient=user).delete()
        before = display_name(user)
        user.username = f"closed-{user.pk}"
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        display_name_report(user, before)
