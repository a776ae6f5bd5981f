"""Domain operations on what a tender ends in: the signed contract, its change orders (变更), and
the open-data release the ledger's payments on a contract add."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.changelog.records import apply_changes, save_recorded
from renovation.figures import format_yuan

from .models import Award, ChangeOrder, ChangeOrderStatus, Contract, Tender
from .ocds import day_start, release_record
from .permissions import require_tender_manager
from .selectors import contract_current_amount

CONTRACT_FIELDS = ("number", "amount", "signed_on", "start_on", "end_on")


def _refuse(message: str, field: str | None = None) -> None:
    raise ValidationError({field: message} if field else message)


def contract_sign(*, actor: Any, tender: Tender, data: Mapping[str, Any]) -> Contract:
    require_tender_manager(actor, tender)
    award = Award.objects.filter(tender=tender).select_related("bidder").first()
    if award is None:
        _refuse(_("Award the tender before recording its contract."))
    if Contract.objects.filter(award=award).exists():
        _refuse(_("This tender's contract is already recorded."))
    contract = Contract(award=award, project=tender.project, contractor=award.bidder, recorded_by=actor)
    apply_changes(contract, data, CONTRACT_FIELDS)
    with transaction.atomic():
        save_recorded(contract, actor=actor, reason="contract_sign")
        release_record(tender, tags=["contract"], date=day_start(contract.signed_on))
    return contract


def change_order_propose(*, actor: Any, contract: Contract, reason: str, amount_change: Decimal) -> ChangeOrder:
    require_tender_manager(actor, contract.award.tender)
    if not (reason or "").strip():
        _refuse(_("Give the reason for the change."), "reason")
    if not amount_change:
        _refuse(_("A change order changes the amount: enter how much (negative when it shrinks)."), "amount_change")
    sequence = (contract.change_orders.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    change = ChangeOrder(
        contract=contract,
        sequence=sequence,
        reason=reason.strip(),
        amount_change=amount_change,
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    with transaction.atomic():
        return save_recorded(change, actor=actor, reason="change_order_propose")


def change_order_decide(
    *, actor: Any, change_order: ChangeOrder, approve: bool, decided_on: Any, approval_reference: str = ""
) -> ChangeOrder:
    contract = change_order.contract
    require_tender_manager(actor, contract.award.tender)
    if change_order.status != ChangeOrderStatus.PROPOSED:
        _refuse(_("This change order has already been decided."))
    if decided_on is None:
        _refuse(_("Give the date of the decision."), "decided_on")
    if approve and contract_current_amount(contract) + change_order.amount_change <= 0:
        _refuse(
            _("The change would take the contract to %(amount)s; a contract must stay above zero.")
            % {"amount": format_yuan(contract_current_amount(contract) + change_order.amount_change)}
        )
    if approve and not (approval_reference or "").strip():
        _refuse(_("Give the approval reference (minutes or document number)."), "approval_reference")
    change_order.status = ChangeOrderStatus.APPROVED if approve else ChangeOrderStatus.REJECTED
    change_order.decided_by = actor
    change_order.decided_on = decided_on
    change_order.approval_reference = (approval_reference or "").strip()
    with transaction.atomic():
        save_recorded(change_order, actor=actor, reason="change_order_decide")
        if approve:
            release_record(contract.award.tender, tags=["contractAmendment"], date=day_start(decided_on))
    return change_order


def contract_payments_publish(*, payments: Iterable[tuple[int, date]]) -> int:
    """Freeze an "implementation" release for each contract whose payments changed (the ledger
    calls this inside its own transaction, with each changed payment's contract and booking
    date); the release is dated by the latest of those payments. Returns how many were made."""
    latest: dict[int, date] = {}
    for contract_id, booked_on in payments:
        latest[contract_id] = max(latest.get(contract_id, booked_on), booked_on)
    tenders = Tender.objects.filter(award__contract__in=set(latest)).select_related("award__contract").order_by("pk")
    for tender in tenders:
        release_record(tender, tags=["implementation"], date=day_start(latest[tender.award.contract.pk]))
    return len(tenders)
