"""/tenders/bidders/register/ for someone without an account: the company signs itself up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renovation.backoffice.views import add_service_errors
from renovation.sms.network import client_ip

from . import registration
from .forms import BidderSendCodeForm, BidderSignUpForm

_KEEP = ("name", "uscc", "contact_name", "mobile", "email", "address")


def bidder_sign_up(request: HttpRequest) -> HttpResponse:
    status = 200
    code_sent = False
    if request.method == "POST" and request.POST.get("action") == "send_code":
        # First step: only the mobile number is needed; the rest of the form is kept as typed.
        send_form = BidderSendCodeForm(request.POST)
        form = BidderSignUpForm(initial={name: request.POST.get(name, "") for name in _KEEP})
        if send_form.is_valid():
            try:
                registration.bidder_sign_up_code_send(mobile=send_form.cleaned_data["mobile"], ip=client_ip(request))
            except ValidationError as error:
                send_form.add_error("mobile", error)
            else:
                code_sent = True
        if not code_sent:
            status = 400
        context = {"form": form, "send_errors": send_form.errors.get("mobile"), "code_sent": code_sent}
        return render(request, "tendering/bidder_sign_up.html", context, status=status)
    form = BidderSignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not form.cleaned_data.get("sms_code"):
                form.add_error("sms_code", _("Enter the 6-digit code sent to the mobile number."))
            else:
                try:
                    bidder = registration.bidder_sign_up(data=form.cleaned_data, sms_code=form.cleaned_data["sms_code"])
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    account = bidder.accounts.get()
                    login(request, account, backend="django.contrib.auth.backends.ModelBackend")
                    messages.success(
                        request,
                        _(
                            "Your company is registered and signed in; its account name is %(username)s. "
                            "Upload its qualification documents: staff review them before it may bid."
                        )
                        % {"username": account.get_username()},
                    )
                    return redirect("tendering:bidder_mine")
    return render(request, "tendering/bidder_sign_up.html", {"form": form, "code_sent": False}, status=status)
