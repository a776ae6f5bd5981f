"""Where each role starts after signing in.

Accounts sits below the apps that define the roles (supervision, tendering, consultation), so those
apps register how to recognise their people with the Wagtail hook ``sign_in_landing``: a function
``(user) -> str | None`` returning the start page's URL, or None when the user is not theirs.
The lowest ``order`` wins: supervisors and construction units (20), bidders (30), residents (40).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail import hooks

from .permissions import is_staff_member

LANDING_HOOK = "sign_in_landing"


def landing_url(user: Any) -> str:
    """Staff go to the back office; everyone else to the first registered start page that is theirs."""
    if not getattr(user, "is_authenticated", False):
        return "/"
    if user.is_superuser or is_staff_member(user):
        return reverse("wagtailadmin_home")
    for resolver in hooks.get_hooks(LANDING_HOOK):
        url = resolver(user)
        if url:
            return url
    return "/"


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the request asks for when it is a path on this site, else ``fallback``.

    Only a path ("/...") is taken: another host would be an open redirect, and a bare word
    would be read by ``redirect()`` as a view name (NoReverseMatch, a 500)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
