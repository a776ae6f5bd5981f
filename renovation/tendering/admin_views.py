"""The back office's tender page: every step of a tender for the street office that runs it.

Before the opening time the page knows only whether any bid came in; the opening record,
evaluation, proposals and exports appear once the clock passes the opening time.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renovation.backoffice.views import answer_forbidden, posted_id
from renovation.spreadsheets.responses import attachment, spreadsheet_response

from . import contracts, redflags, selectors, services
from .exports import write_evaluation_table, write_opening_record
from .models import Bid, ChangeOrder, ChangeOrderStatus, Contract, Objection, Tender, TenderStatus
from .permissions import require_tender_manager
from .seal import unseal, unseal_file


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["number", "amount", "signed_on", "start_on", "end_on"]
        widgets = {name: forms.DateInput(attrs={"type": "date"}) for name in ("signed_on", "start_on", "end_on")}


class ChangeOrderForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    amount_change = forms.DecimalField(label=gettext_lazy("Amount change (yuan)"), max_digits=14, decimal_places=2)


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), widget=forms.DateInput(attrs={"type": "date"}))
    approval_reference = forms.CharField(label=gettext_lazy("Approval reference"), required=False, max_length=120)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.BooleanField(
        label=gettext_lazy("The objection is upheld (the bids must be evaluated again)"), required=False
    )


class ReannounceForm(forms.Form):
    bid_period_start = forms.DateTimeField(
        label=gettext_lazy("Bids accepted from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    bid_period_end = forms.DateTimeField(
        label=gettext_lazy("Bids accepted until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    opening_at = forms.DateTimeField(
        label=gettext_lazy("Opening time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


def _managed_tender(request: HttpRequest, pk: int) -> Tender:
    tender = get_object_or_404(selectors.tender_detail_queryset(), pk=pk)
    require_tender_manager(request.user, tender)
    return services.tender_catch_up(tender=tender)


def _scores(request: HttpRequest, bids: list[Bid]) -> dict[int, dict[str, Any]]:
    scores: dict[int, dict[str, Any]] = {}
    for bid in bids:
        raw = (request.POST.get(f"technical_{bid.pk}") or "").strip()
        try:
            technical = Decimal(raw) if raw else None
        except InvalidOperation:
            technical = raw  # the ranking refuses it with a message naming the bidder
        scores[bid.pk] = {
            "compliant": request.POST.get(f"compliant_{bid.pk}") == "on",
            "technical_score": technical,
            "note": (request.POST.get(f"note_{bid.pk}") or "").strip()[:300],
        }
    return scores


def _act(request: HttpRequest, tender: Tender, action: str) -> tuple[bool, dict[str, Any]]:
    """Run one posted action; returns (done, bound forms to show again)."""
    user = request.user
    post = request.POST
    if action == "announce":
        services.tender_announce(actor=user, tender=tender)
        return True, {}
    if action == "evaluate":
        bids = list(Bid.objects.filter(tender=tender).select_related("bidder"))
        services.tender_evaluate(actor=user, tender=tender, scores=_scores(request, bids))
        return True, {}
    if action == "publicize":
        services.tender_publicize(actor=user, tender=tender)
        return True, {}
    if action == "award":
        services.tender_award(actor=user, tender=tender)
        return True, {}
    if action == "answer":
        objection = get_object_or_404(Objection, pk=posted_id(request, "objection"), tender=tender)
        form = AnswerForm(post)
        if not form.is_valid():
            return False, {"answer_form": form}
        services.objection_answer(
            actor=user, objection=objection, answer=form.cleaned_data["answer"], upheld=form.cleaned_data["upheld"]
        )
        return True, {}
    if action == "contract":
        form = ContractForm(post)
        if not form.is_valid():
            return False, {"contract_form": form}
        contracts.contract_sign(actor=user, tender=tender, data=form.cleaned_data)
        return True, {}
    if action == "propose_change":
        contract = get_object_or_404(Contract, award__tender=tender)
        form = ChangeOrderForm(post)
        if not form.is_valid():
            return False, {"change_form": form}
        contracts.change_order_propose(actor=user, contract=contract, **form.cleaned_data)
        return True, {}
    if action == "decide_change":
        change = get_object_or_404(ChangeOrder, pk=posted_id(request, "change_order"), contract__award__tender=tender)
        form = ChangeDecisionForm(post)
        if not form.is_valid():
            return False, {"decision_form": form}
        contracts.change_order_decide(
            actor=user,
            change_order=change,
            approve=form.cleaned_data["decision"] == "approve",
            decided_on=form.cleaned_data["decided_on"],
            approval_reference=form.cleaned_data["approval_reference"],
        )
        return True, {}
    if action == "reannounce":
        form = ReannounceForm(post)
        if not form.is_valid():
            return False, {"reannounce_form": form}
        new = services.tender_reannounce(actor=user, tender=tender, data=form.cleaned_data)
        messages.success(request, _("A new draft was made; check it and announce it."))
        return True, {"redirect_to": new.pk}
    raise ValidationError(_("Unknown action."))


@answer_forbidden
def tender_manage(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _managed_tender(request, pk)
    bound: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            done, bound = _act(request, tender, request.POST.get("action", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 400
        else:
            if done:
                if not bound.get("redirect_to"):
                    messages.success(request, _("Saved."))
                return redirect("tender_manage", pk=bound.get("redirect_to") or tender.pk)
            status = 400
        tender = _managed_tender(request, pk)
    return TemplateResponse(request, "tendering/admin/manage.html", _context(tender, bound), status=status)


def _context(tender: Tender, bound: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    rows = selectors.opening_record(tender, now)
    award = getattr(tender, "award", None)
    contract = getattr(award, "contract", None) if award is not None else None
    objections = list(tender.objections.order_by("lodged_at"))
    return {
        "page_title": f"{tender.code} {tender.title}",
        "tender": tender,
        "now": now,
        "sealed": rows is None,
        "bids_received": selectors.bids_received(tender) if rows is None else bool(rows),
        "rows": rows,
        "ranked": selectors.ranked_rows(rows) if rows else [],
        "can_evaluate": selectors.may_evaluate(tender, now),
        "objections": objections,
        "blocking": selectors.open_objections(tender) if tender.status == TenderStatus.PUBLICITY else [],
        "award": award,
        "contract": contract,
        "change_orders": list(contract.change_orders.order_by("sequence")) if contract is not None else [],
        "pending_status": ChangeOrderStatus.PROPOSED,
        "current_amount": selectors.contract_current_amount(contract) if contract is not None else None,
        "answer_form": bound.get("answer_form") or AnswerForm(),
        "contract_form": bound.get("contract_form") or ContractForm(),
        "change_form": bound.get("change_form") or ChangeOrderForm(),
        "decision_form": bound.get("decision_form") or ChangeDecisionForm(initial={"decided_on": timezone.localdate()}),
        "reannounce_form": bound.get("reannounce_form") or ReannounceForm(),
        "red_flags": selectors.tender_red_flags(tender, now),
        "flag_band": redflags.share_label(settings.TENDER_FLAG_CEILING_BAND),
    }


def _export(request: HttpRequest, pk: int, write: Callable[..., None], name: str, fallback: str) -> HttpResponse:
    tender = _managed_tender(request, pk)
    rows = selectors.opening_record(tender)
    if rows is None:
        messages.error(request, _("Bids stay sealed until the opening time."))
        return redirect("tender_manage", pk=tender.pk)
    return spreadsheet_response(
        lambda target: write(target, tender, rows),
        filename=f"{name}-{tender.code}.xlsx",
        fallback=f"{fallback}-{tender.code}.xlsx",
    )


@answer_forbidden
def opening_record_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, write_opening_record, _("Opening record"), "opening-record")


@answer_forbidden
def evaluation_table_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, write_evaluation_table, _("Evaluation table"), "evaluation-table")


@answer_forbidden
def proposal_download(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    tender = _managed_tender(request, pk)
    bid = get_object_or_404(Bid.objects.select_related("tender", "bidder"), pk=bid_pk, tender=tender)
    if not tender.is_opened():
        messages.error(request, _("Bids stay sealed until the opening time."))
        return redirect("tender_manage", pk=tender.pk)
    content = unseal(bid)
    response = HttpResponse(unseal_file(bid), content_type="application/octet-stream")
    name = PurePath(content.proposal_name).name
    response["Content-Disposition"] = attachment(name, f"proposal-{bid.pk}{PurePath(name).suffix}")
    response["Cache-Control"] = "private, no-store"
    return response
