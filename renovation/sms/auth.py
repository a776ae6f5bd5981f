"""Sign-in with a mobile number and an SMS code, as an authentication backend.

Views call ``django.contrib.auth.authenticate(request, phone=..., code=...)`` so that every
failure goes through Django's ``user_login_failed`` signal (django-axes counts it there).
Staff never sign in this way: their accounts use the admin's password sign-in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError

from renovation.accounts.permissions import is_staff_member

from .codes import phone_code_verify, phone_number_normalise
from .models import CodePurpose, UserPhone


def phone_sign_in_allowed(user: Any) -> bool:
    return bool(user is not None and user.is_active and not user.is_staff and not is_staff_member(user))


class PhoneCodeBackend(BaseBackend):
    def authenticate(self, request: Any, phone: str | None = None, code: str | None = None, **kwargs: Any) -> Any:
        if phone is None or code is None:
            return None
        try:
            number = phone_number_normalise(phone)
            phone_code_verify(number=number, purpose=CodePurpose.LOGIN, code=code)
        except ValidationError as error:
            if request is not None:
                # The view shows why (expired, wrong, void) without saying whether the number exists.
                request.sms_code_error = error
            return None
        record = UserPhone.objects.select_related("user").filter(number=number).first()
        if record is None or not phone_sign_in_allowed(record.user):
            return None
        return record.user

    def get_user(self, user_id: int) -> Any:
        user = get_user_model().objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
