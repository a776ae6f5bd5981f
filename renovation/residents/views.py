"""Residents' account pages (mobile first): join with a household code, sign in or reset the
password with an SMS code, see what the site holds about me, close my account.

Each SMS flow has two steps on one address; the number between them is kept in the session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from renovation.accounts.landing import landing_url, safe_next_url
from renovation.consultation.join_services import join_code_check, resident_join
from renovation.consultation.models import JoinCode
from renovation.sms.auth import phone_sign_in_allowed
from renovation.sms.codes import phone_code_send, phone_code_verify
from renovation.sms.models import CodePurpose, UserPhone
from renovation.sms.network import client_ip
from renovation.sms.services import user_phone_opt_in_set

from . import selectors, services
from .forms import CloseForm, CodeForm, JoinConfirmForm, JoinStartForm, NumberForm, OptInForm, ResetConfirmForm

JOIN_SESSION = "residents_join"
LOGIN_SESSION = "residents_phone_login"
RESET_SESSION = "residents_phone_reset"


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, failed: bool = False) -> HttpResponse:
    return TemplateResponse(request, f"residents/{template}", context, status=400 if failed else 200)


def _add_errors(form: Any, error: ValidationError, field: str | None = None) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error.messages)


def _known_number(number: str) -> bool:
    phone = UserPhone.objects.select_related("user").filter(number=number).first()
    return phone is not None and phone_sign_in_allowed(phone.user)


def _landing(request: HttpRequest, user: Any) -> str:
    # A path on this site wins; else the same start page as after a password sign-in.
    return safe_next_url(request, landing_url(user))


# --- join with a household code -------------------------------------------------------------


@never_cache
@sensitive_post_parameters("code", "number")
def join(request: HttpRequest) -> HttpResponse:
    form = JoinStartForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    context = {"form": form, "notice_version": settings.PRIVACY_NOTICE_VERSION}
    if request.method != "POST":
        return _render(request, "join.html", context)
    if form.is_valid():
        data = form.cleaned_data
        ip = client_ip(request)
        try:
            code = join_code_check(code=data["code"], ip=ip)
            if UserPhone.objects.filter(number=data["number"]).exists():
                raise ValidationError(
                    _("This mobile number already has an account. Sign in with it, or use another number.")
                )
            phone_code_send(number=data["number"], purpose=CodePurpose.JOIN, ip=ip)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            request.session[JOIN_SESSION] = {
                "code_id": code.pk,
                "number": data["number"],
                "consent_at": timezone.now().isoformat(),
                "consent_version": settings.PRIVACY_NOTICE_VERSION,
            }
            return redirect("accounts:join_confirm")
    return _render(request, "join.html", context, failed=True)


@never_cache
@sensitive_post_parameters("sms_code", "password1", "password2")
def join_confirm(request: HttpRequest) -> HttpResponse:
    state = request.session.get(JOIN_SESSION)
    if not state:
        return redirect("accounts:join")
    form = JoinConfirmForm(request.POST or None)
    context = {"form": form, "number": state["number"]}
    if request.method != "POST":
        return _render(request, "join_confirm.html", context)
    if request.POST.get("action") == "resend":
        try:
            phone_code_send(number=state["number"], purpose=CodePurpose.JOIN, ip=client_ip(request))
        except ValidationError as error:
            form = JoinConfirmForm()
            form.add_error(None, error.messages)
            return _render(request, "join_confirm.html", {**context, "form": form}, failed=True)
        messages.info(request, _("A new code is on its way."))
        return redirect("accounts:join_confirm")
    if form.is_valid():
        data = form.cleaned_data
        try:
            # Verified outside any transaction: a wrong entry stays counted.
            phone_code_verify(number=state["number"], purpose=CodePurpose.JOIN, code=data["sms_code"])
            code = JoinCode.objects.get(pk=state["code_id"])
            user = resident_join(
                join_code=code,
                number=state["number"],
                password=data["password1"],
                consent_version=state["consent_version"],
                consented_at=datetime.fromisoformat(state["consent_at"]),
                sms_opt_in=data["sms_opt_in"],
            )
        except JoinCode.DoesNotExist:
            form.add_error(None, _("This household code no longer works. Ask your street office for a new letter."))
        except ValidationError as error:
            _add_errors(form, error, "sms_code")
        else:
            request.session.pop(JOIN_SESSION, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! Your account %(username)s now speaks for your household.") % {"username": user.username},
            )
            return redirect("consultation:mine")
    return _render(request, "join_confirm.html", context, failed=True)


# --- sign in with an SMS code ---------------------------------------------------------------


def _send_step(request: HttpRequest, session_key: str, purpose: str) -> tuple[NumberForm, bool]:
    """Step one of sign-in and reset: the same answer whether the number has an account or not
    (nothing is sent to an unknown number, but the attempt is counted all the same)."""
    form = NumberForm(request.POST)
    if not form.is_valid():
        return form, False
    number = form.cleaned_data["number"]
    try:
        phone_code_send(number=number, purpose=purpose, ip=client_ip(request), deliver=_known_number(number))
    except ValidationError as error:
        form.add_error("number", error.messages)
        return form, False
    request.session[session_key] = {"number": number}
    return form, True


@never_cache
@sensitive_post_parameters("number", "sms_code")
def login_phone(request: HttpRequest) -> HttpResponse:
    state = request.session.get(LOGIN_SESSION)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and request.POST.get("action") == "send":
        form, sent = _send_step(request, LOGIN_SESSION, CodePurpose.LOGIN)
        if sent:
            query = {"step": "code", **({"next": next_url} if next_url else {})}
            return redirect(f"{resolve_url('accounts:login_phone')}?{urlencode(query)}")
        return _render(request, "login_phone.html", {"form": form, "next": next_url}, failed=True)
    if request.method == "POST" and state:
        form = CodeForm(request.POST)
        if form.is_valid():
            user = authenticate(request, phone=state["number"], code=form.cleaned_data["sms_code"])
            if user is not None:
                request.session.pop(LOGIN_SESSION, None)
                login(request, user)
                return redirect(_landing(request, user))
            error = getattr(request, "sms_code_error", None)
            form.add_error("sms_code", error.messages if error else _("The code is wrong or has expired."))
        return _render(
            request, "login_phone_code.html", {"form": form, "number": state["number"], "next": next_url}, failed=True
        )
    if state and request.GET.get("step") == "code":
        return _render(
            request, "login_phone_code.html", {"form": CodeForm(), "number": state["number"], "next": next_url}
        )
    return _render(request, "login_phone.html", {"form": NumberForm(), "next": next_url})


# --- forgotten password: a new one with an SMS code -----------------------------------------


@never_cache
@sensitive_post_parameters("number", "sms_code", "password1", "password2")
def password_reset_phone(request: HttpRequest) -> HttpResponse:
    state = request.session.get(RESET_SESSION)
    if request.method == "POST" and request.POST.get("action") == "send":
        form, sent = _send_step(request, RESET_SESSION, CodePurpose.RESET)
        if sent:
            return redirect(f"{resolve_url('accounts:password_reset_phone')}?step=code")
        return _render(request, "reset_phone.html", {"form": form}, failed=True)
    if request.method == "POST" and state:
        form = ResetConfirmForm(request.POST)
        if form.is_valid():
            try:
                phone_code_verify(number=state["number"], purpose=CodePurpose.RESET, code=form.cleaned_data["sms_code"])
                services.account_password_reset_by_phone(
                    number=state["number"], password=form.cleaned_data["password1"]
                )
            except ValidationError as error:
                _add_errors(form, error, "sms_code")
            else:
                request.session.pop(RESET_SESSION, None)
                messages.success(request, _("Your password is changed. Sign in with it now."))
                return redirect("login")
        return _render(request, "reset_phone_code.html", {"form": form, "number": state["number"]}, failed=True)
    if state and request.GET.get("step") == "code":
        return _render(request, "reset_phone_code.html", {"form": ResetConfirmForm(), "number": state["number"]})
    return _render(request, "reset_phone.html", {"form": NumberForm()})


# --- my data, closing my account ------------------------------------------------------------


@login_required
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    data = selectors.my_data(request.user)
    form = OptInForm(
        request.POST if request.method == "POST" else None,
        initial={"sms_opt_in": bool(data["phone"] and data["phone"].sms_opt_in)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_phone_opt_in_set(user=request.user, opt_in=form.cleaned_data["sms_opt_in"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("accounts:my_data")
    return _render(request, "my_data.html", {**data, "opt_in_form": form}, failed=bool(form.errors))


@login_required
@never_cache
def close_account(request: HttpRequest) -> HttpResponse:
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_account_close(actor=request.user, user=request.user)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(request, _("Your account is closed and your personal data removed."))
            return redirect("/")
    return _render(request, "close.html", {"form": form}, failed=bool(form.errors))
