"""django-axes glue: which name a sign-in attempt is counted under, and what a locked-out person sees.

The lock is per (username, address). The answer to a locked-out attempt is the same login page with
one clear message, whether the account exists or not, so a lock reveals nothing about accounts.
"""

from __future__ import annotations

from typing import Any

from django.forms.forms import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .selectors import login_lock_minutes

# Credentials other backends pass to authenticate(): the SMS sign-in sends a phone number.
_NAME_KEYS = ("username", "phone", "number")


def attempted_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The name an attempt is counted under: the username, or the mobile number for SMS sign-in."""
    sources = [credentials or {}]
    if request is not None:
        sources.append(getattr(request, "POST", {}) or {})
    for source in sources:
        for key in _NAME_KEYS:
            value = source.get(key)
            if value:
                return str(value).strip()[:150]
    return None


def lockout_message() -> str:
    return _(
        "Too many failed sign-in attempts for this account from your network. "
        "Signing in is paused for %(minutes)s minutes; try again later or ask the housing bureau to lift the lock."
    ) % {"minutes": login_lock_minutes()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The page the person was on (public or admin login), its form carrying only the lock message."""
    message = lockout_message()
    context = getattr(original_response, "context_data", None)
    form = context.get("form") if isinstance(context, dict) else None
    if isinstance(original_response, TemplateResponse) and form is not None and hasattr(form, "_errors"):
        # Replace "wrong password" by the lock message: the person must not keep guessing.
        form._errors = ErrorDict()
        form._errors[NON_FIELD_ERRORS] = form.error_class([message])
        response = TemplateResponse(
            request, original_response.template_name, context, status=429, using=original_response.using
        )
        return response.render()
    return TemplateResponse(request, "accounts/locked_out.html", {"message": message}, status=429).render()
