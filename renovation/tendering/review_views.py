"""Back office: staff review a bidding company's qualification documents (资格审查)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import add_service_errors, answer_forbidden, posted_data

from . import registration
from .forms import BidderReviewForm
from .models import Bidder


@answer_forbidden
def bidder_review(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only street or housing bureau staff review bidding companies."))
    bidder = get_object_or_404(Bidder.objects.prefetch_related("documents"), pk=pk)
    form = BidderReviewForm(posted_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                registration.bidder_review(
                    actor=request.user,
                    bidder=bidder,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The review of %(name)s is recorded.") % {"name": bidder.name})
                return redirect("bidder_review", pk=bidder.pk)
    history = list(
        bidder.history.filter(history_change_reason__startswith="bidder_")
        .select_related("history_user")
        .order_by("-history_date")[:20]
    )
    context = {"page_title": _("Qualification review"), "bidder": bidder, "form": form, "history": history}
    return TemplateResponse(request, "tendering/admin/bidder_review.html", context, status=status)
