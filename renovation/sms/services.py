"""Writes about users' mobile numbers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from .codes import phone_number_normalise
from .models import UserPhone


def user_phone_set(*, user: Any, number: str) -> UserPhone:
    """Record the verified mobile number of ``user`` (call only after ``phone_code_verify``).

    One number belongs to one user: a number already on another account is refused.
    """
    number = phone_number_normalise(number)
    if user is None or not user.is_authenticated or not user.is_active:
        raise ValidationError(_("Only an active account can have a mobile number."))
    with transaction.atomic():
        if UserPhone.objects.filter(number=number).exclude(user=user).exists():
            raise ValidationError(_("This mobile number already belongs to another account."), code="number_taken")
        phone = UserPhone.objects.select_for_update().filter(user=user).first() or UserPhone(user=user)
        phone.number = number
        phone.verified_at = timezone.now()
        phone.full_clean()
        phone.save()
        update_change_reason(phone, "mobile number verified by SMS code")
    return phone


def user_phone_opt_in_set(*, user: Any, opt_in: bool) -> UserPhone:
    """A user turns SMS copies of their notifications on or off (only with a verified number)."""
    with transaction.atomic():
        phone = UserPhone.objects.select_for_update().filter(user=user).first()
        if phone is None:
            raise ValidationError(_("Add a verified mobile number first."), code="no_phone")
        phone.sms_opt_in = bool(opt_in)
        phone.save(update_fields=["sms_opt_in"])
        update_change_reason(phone, "SMS notifications turned on" if opt_in else "SMS notifications turned off")
    return phone


def user_phone_remove(*, user: Any) -> None:
    """Forget a user's number (account closure). The historical rows go too: they hold it."""
    with transaction.atomic():
        for phone in UserPhone.objects.filter(user=user):
            phone.history.all().delete()
            phone.delete()
        UserPhone.history.filter(user_id=user.pk).delete()
