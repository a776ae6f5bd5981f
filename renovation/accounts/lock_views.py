"""Back office: who is locked out of signing in, and lifting a lock (bureau staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from renovation.backoffice.views import answer_forbidden, posted_id

from . import selectors, services
from .permissions import can_lift_login_locks


@answer_forbidden
@require_http_methods(["GET", "POST"])
def login_locks(request: HttpRequest) -> HttpResponse:
    if not can_lift_login_locks(request.user):
        raise PermissionDenied(_("Only housing bureau staff can see and lift sign-in locks."))
    if request.method == "POST":
        try:
            services.login_lock_lift(actor=request.user, attempt_id=posted_id(request, "attempt"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The lock was lifted; the person can sign in again."))
        return redirect("accounts_admin:login_locks")
    context = {
        "page_title": _("Sign-in locks"),
        "locks": list(selectors.login_locks()),
        "failures": list(selectors.login_failures_recent()),
        "minutes": selectors.login_lock_minutes(),
    }
    return TemplateResponse(request, "accounts/admin/login_locks.html", context)
