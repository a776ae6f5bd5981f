"""Domain operations on what a tender ends in: the signed contract, its change orders (变更), and
the open-data release the ledger's payments on a contract add; and the contract for works below
the must-tender threshold, recorded without a tender (直接发包)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import can_manage_street
from renovation.changelog.records import apply_changes, save_recorded
from renovation.figures import format_yuan
from renovation.projects.models import Project, WorkItem
from renovation.public.cache import Change, pages_changed

from .models import Award, Bidder, ChangeOrder, ChangeOrderStatus, Contract, Tender
from .ocds import day_start, release_record
from .permissions import require_tender_manager
from .selectors import contract_current_amount

CONTRACT_FIELDS = ("number", "amount", "signed_on", "start_on", "end_on")


def _refuse(message: str, field: str | None = None) -> None:
    raise ValidationError({field: message} if field else message)


def _contract_changed(contract: Contract) -> None:
    tender_id = contract.award.tender_id if contract.award_id is not None else None
    pages_changed(Change.TENDER, project_id=contract.project_id, tender_id=tender_id)


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
        # The contract covers the tendered works: its holder is their construction unit.
        contract.work_items.set(tender.work_items.all())
        release_record(tender, tags=["contract"], date=day_start(contract.signed_on))
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
    return contract


def _require_project_contracts_manager(actor: Any, project: Project) -> None:
    if not can_manage_street(actor, project.neighbourhood.community.street):
        raise PermissionDenied(
            _("Only the street office of this project (or the housing bureau) records its contracts.")
        )


def _require_contract_manager(actor: Any, contract: Contract) -> None:
    if contract.award_id is not None:
        require_tender_manager(actor, contract.award.tender)
    else:
        _require_project_contracts_manager(actor, contract.project)


def _direct_work_items(project: Project, work_items: Iterable[WorkItem]) -> list[WorkItem]:
    """The works of a direct contract: the project's own, below the must-tender threshold, and not
    already held under another contract."""
    items = list(work_items)
    if not items:
        _refuse(_("Choose the works this contract covers."), "work_items")
    if any(item.project_id != project.pk for item in items):
        _refuse(_("Only this project's works can be contracted here."), "work_items")
    tendered = [item.description for item in items if item.must_tender]
    if tendered:
        _refuse(
            _("These works must be publicly tendered, not contracted directly: %(items)s.")
            % {"items": "、".join(tendered)},
            "work_items",
        )
    taken = list(
        WorkItem.objects.filter(pk__in=[item.pk for item in items], contracts__isnull=False)
        .values_list("description", flat=True)
        .distinct()
    )
    if taken:
        _refuse(_("These works are already under a contract: %(items)s.") % {"items": "、".join(taken)}, "work_items")
    return items


def contract_direct_record(
    *, actor: Any, project: Project, contractor: Bidder, data: Mapping[str, Any], work_items: Iterable[WorkItem]
) -> Contract:
    """Record the contract for works below the must-tender threshold, placed without a tender:
    the company holding it is their construction unit, and payments are made on it as on any."""
    _require_project_contracts_manager(actor, project)
    items = _direct_work_items(project, work_items)
    contract = Contract(award=None, project=project, contractor=contractor, recorded_by=actor)
    apply_changes(contract, data, CONTRACT_FIELDS)
    with transaction.atomic():
        save_recorded(contract, actor=actor, reason="contract_direct_record")
        contract.work_items.set(items)
        pages_changed(Change.TENDER, project_id=project.pk)
    return contract


def change_order_propose(*, actor: Any, contract: Contract, reason: str, amount_change: Decimal) -> ChangeOrder:
    _require_contract_manager(actor, contract)
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
        save_recorded(change, actor=actor, reason="change_order_propose")
        _contract_changed(contract)
    return change


def change_order_decide(
    *, actor: Any, change_order: ChangeOrder, approve: bool, decided_on: Any, approval_reference: str = ""
) -> ChangeOrder:
    contract = change_order.contract
    _require_contract_manager(actor, contract)
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
        _contract_changed(contract)
        if approve and contract.award_id is not None:
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
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
    return len(tenders)
