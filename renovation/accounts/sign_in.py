"""Public sign-in and password reset by e-mail (Django's views, our templates and landing pages)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse, reverse_lazy

from .landing import landing_url
from .services import sessions_end

# The SMS sign-in and the join-with-a-code pages come from the SMS work (URL names below); until
# they exist the links point at their agreed addresses, so nothing here breaks.
_SMS_PAGES = {
    "phone_login_url": ("accounts:login_phone", "/accounts/login/phone/"),
    "join_url": ("accounts:join", "/accounts/join/"),
}


def _url_or_path(name: str, path: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return path


class SignInView(auth_views.LoginView):
    """Username and password for everyone; each role then lands on its own start page
    (a safe ``next`` wins). Failed attempts are counted by django-axes (settings.AXES_*)."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update({key: _url_or_path(*target) for key, target in _SMS_PAGES.items()})
        return context


class ResetRequestView(auth_views.PasswordResetView):
    """Same answer whether or not the address belongs to an account (Django sends mail only when
    it does and always shows the "done" page)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the e-mail link ends every session the account had."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sessions_end(user=form.user)
        return response
