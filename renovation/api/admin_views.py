"""Back office: API keys. Bureau staff issue a key (shown once) and revoke it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from renovation.accounts.permissions import is_bureau
from renovation.backoffice.views import answer_forbidden, posted_id

from . import services
from .models import ApiKey, RateTier


class IssueKeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("what it is for"), max_length=120)
    organisation = forms.CharField(label=gettext_lazy("organisation"), max_length=200)
    tier = forms.ChoiceField(label=gettext_lazy("rate tier"), choices=RateTier.choices, initial=RateTier.STANDARD)
    user = forms.ModelChoiceField(
        label=gettext_lazy("acts as resident supervisor"),
        queryset=get_user_model().objects.filter(supervisor__isnull=False).order_by("username"),
        required=False,
        help_text=gettext_lazy("Only for a supervisor's app that files site issues through Open311."),
    )


def _require_bureau(request: HttpRequest) -> None:
    if not is_bureau(request.user):
        raise PermissionDenied(_("Only housing bureau staff may issue or revoke API keys."))


@answer_forbidden
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    form = IssueKeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_key_issue(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            form = IssueKeyForm()
    context = {
        "page_title": _("API keys"),
        "form": form,
        "issued": issued,
        "keys": list(ApiKey.objects.select_related("user", "created_by", "revoked_by")),
    }
    return TemplateResponse(request, "api/admin/api_keys.html", context)


@answer_forbidden
@require_http_methods(["POST"])
def api_key_revoke(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    key = get_object_or_404(ApiKey, pk=posted_id(request, "key"))
    try:
        services.api_key_revoke(actor=request.user, key=key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The key was revoked; it stops working at once."))
    return redirect("api_admin:keys")
