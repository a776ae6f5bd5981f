"""Domain operations on the ledger and its quarterly disclosures.

Every write checks that the actor manages the project's street, validates, locks the project row
(so a disclosure and an entry for the same project cannot interleave), writes in one transaction
and leaves a history row naming the actor and the operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.changelog.records import apply_changes, save_recorded
from renovation.figures import format_yuan
from renovation.projects.models import Project
from renovation.projects.services import require_project_manager
from renovation.public.cache import Change, pages_changed
from renovation.tendering.contracts import contract_payments_publish

from .models import ZERO, EntryKind, IncomeSource, LedgerEntry, QuarterlyDisclosure, quarter_bounds
from .rules import PHONE_NUMBER, PUBLIC_TEXT_FIELDS, overrun_message
from .selectors import contract_positions, locked_until, quarter_figures

ENTRY_FIELDS = (
    "project",
    "kind",
    "source",
    "amount",
    "booked_on",
    "counterparty",
    "purpose",
    "contract",
    "invoice_number",
    "bank_reference",
)
IMPORTED_FIELDS = (
    "kind",
    "source",
    "amount",
    "booked_on",
    "counterparty",
    "purpose",
    "invoice_number",
    "bank_reference",
)


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("neighbourhood__community__street").get(pk=project.pk)


def check_public_text(entry: LedgerEntry) -> None:
    errors = {
        name: _("Do not enter phone numbers: the ledger is published.")
        for name in PUBLIC_TEXT_FIELDS
        if PHONE_NUMBER.search(getattr(entry, name) or "")
    }
    if errors:
        raise ValidationError(errors)


def check_not_locked(entry: LedgerEntry, *, lock: Any = None, field: str = "booked_on") -> None:
    """Nothing dated inside or before the latest disclosed quarter may be added or changed."""
    lock = lock if lock is not None else locked_until(entry.project_id)
    if lock is not None and entry.booked_on is not None and entry.booked_on <= lock:
        raise ValidationError(
            {
                field: _(
                    "The ledger of this project is disclosed up to %(date)s; enter a date after it "
                    "(corrections are dated the day they are made)."
                )
                % {"date": lock.isoformat()}
            }
        )


def check_contract_ceiling(entry: LedgerEntry, *, previous_amount: Decimal = ZERO) -> None:
    """Refuse a payment that would take the contract's payments above its amount plus approved
    change orders. ``previous_amount`` is what this entry already counted (an edit in place)."""
    if entry.kind != EntryKind.PAYMENT or not entry.contract_id:
        return
    position = contract_positions([entry.contract_id])[entry.contract_id]
    added = entry.amount - previous_amount
    if added > 0 and position.paid + added > position.ceiling:
        raise ValidationError({"amount": overrun_message(position, added)})


def _publish_payments(entries: list[tuple[int | None, Any]]) -> None:
    """Payments on a contract are part of its tender's open data (OCDS implementation); each
    release is dated by the payments it publishes (their booking date), not by the day of entry."""
    payments = [(contract_id, booked_on) for contract_id, booked_on in entries if contract_id is not None]
    if payments:
        contract_payments_publish(payments=payments)


def _recorder(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def ledger_entry_record(*, actor: Any, data: Mapping[str, Any]) -> LedgerEntry:
    """Record one income or payment as the bank agent booked it."""
    entry = LedgerEntry(recorded_by=_recorder(actor))
    apply_changes(entry, data, ENTRY_FIELDS)
    if not entry.project_id:
        raise ValidationError({"project": _("Choose the project this entry belongs to.")})
    require_project_manager(actor, entry.project)
    _normalise(entry)
    with transaction.atomic():
        _lock_project(entry.project)
        _validate_new(entry)
        save_recorded(entry, actor=actor, reason="ledger_entry_record")
        pages_changed(Change.LEDGER, project_id=entry.project_id)
        _publish_payments([(entry.contract_id, entry.booked_on)])
        return entry


def _normalise(entry: LedgerEntry) -> None:
    for name in ("counterparty", "purpose", "invoice_number", "bank_reference", "note"):
        setattr(entry, name, (getattr(entry, name) or "").strip())
    if entry.kind == EntryKind.PAYMENT:
        entry.source = ""


def _validate_new(entry: LedgerEntry) -> None:
    check_public_text(entry)
    if entry.booked_on and entry.booked_on > timezone.localdate():
        raise ValidationError({"booked_on": _("An entry cannot be dated in the future.")})
    check_not_locked(entry)
    if entry.amount is not None and entry.kind:
        try:
            entry.full_clean(exclude=["amount"], validate_constraints=False)
        except ValidationError:
            pass  # reported in full by save_recorded, field by field
        else:
            check_contract_ceiling(entry)


def ledger_entry_update(*, actor: Any, entry: LedgerEntry, data: Mapping[str, Any]) -> LedgerEntry:
    """Edit an entry in place: only while no disclosure covers its date (before or after)."""
    require_project_manager(actor, entry.project)
    with transaction.atomic():
        _lock_project(entry.project)
        stored = LedgerEntry.objects.get(pk=entry.pk)
        lock = locked_until(stored.project_id)
        if lock is not None and stored.booked_on <= lock:
            raise ValidationError(
                _(
                    "This entry belongs to a quarter that has been disclosed (up to %(date)s) and can no longer "
                    "be edited. Record a correction instead."
                )
                % {"date": lock.isoformat()}
            )
        apply_changes(entry, data, ENTRY_FIELDS)
        require_project_manager(actor, entry.project)
        if entry.project_id != stored.project_id:
            raise ValidationError({"project": _("An entry cannot move to another project; correct it instead.")})
        _normalise(entry)
        check_public_text(entry)
        check_not_locked(entry, lock=lock)
        if entry.booked_on and entry.booked_on > timezone.localdate():
            raise ValidationError({"booked_on": _("An entry cannot be dated in the future.")})
        _require_consistent_corrections(stored, entry)
        previous = stored.amount if stored.contract_id == entry.contract_id else ZERO
        if entry.amount is not None:
            check_contract_ceiling(entry, previous_amount=previous)
        save_recorded(entry, actor=actor, reason="ledger_entry_update")
        pages_changed(Change.LEDGER, project_ids=[entry.project_id, stored.project_id])
        _publish_payments([(entry.contract_id, entry.booked_on), (stored.contract_id, entry.booked_on)])
        return entry


def _require_net_not_negative(original: LedgerEntry, *, change: Decimal, leaving_out: int | None = None) -> None:
    """An entry with its corrections never stands below zero (``leaving_out``: a correction being
    edited, whose old amount ``change`` replaces)."""
    corrections = original.corrections.exclude(pk=leaving_out) if leaving_out else original.corrections.all()
    net = original.amount + sum(corrections.values_list("amount", flat=True), ZERO)
    if net + change < 0:
        raise ValidationError(
            {
                "amount": _("The entry stands at %(net)s; a correction cannot take it below zero.")
                % {"net": format_yuan(net)}
            }
        )


def _require_consistent_corrections(stored: LedgerEntry, entry: LedgerEntry) -> None:
    """Editing in place must not split an entry from its corrections: they share kind, source and
    contract, and together never stand below zero."""
    corrected = stored.corrects_id is not None
    if not corrected and not stored.corrections.exists():
        return
    if (entry.kind, entry.source, entry.contract_id) != (stored.kind, stored.source, stored.contract_id):
        raise ValidationError(
            _("An entry with corrections (or a correction) keeps its kind, source and contract; record a correction.")
        )
    if entry.amount is None:
        return
    if corrected:
        _require_net_not_negative(stored.corrects, change=entry.amount, leaving_out=stored.pk)
    elif entry.amount + sum(stored.corrections.values_list("amount", flat=True), ZERO) < 0:
        raise ValidationError({"amount": _("With its corrections the entry would stand below zero.")})


def ledger_entry_correct(
    *,
    actor: Any,
    entry: LedgerEntry,
    amount: Decimal,
    reason: str,
    booked_on: Any = None,
    bank_reference: str = "",
    invoice_number: str = "",
) -> LedgerEntry:
    """Put an entry right with a new, dated entry of the signed difference (e.g. minus the whole
    amount to reverse it). The corrected entry and any disclosure stay as they were."""
    require_project_manager(actor, entry.project)
    if entry.corrects_id is not None:
        raise ValidationError(_("Correct the original entry, not a correction of it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": _("Say what is being corrected and why.")})
    correction = LedgerEntry(
        project=entry.project,
        kind=entry.kind,
        source=entry.source,
        amount=amount,
        booked_on=booked_on or timezone.localdate(),
        counterparty=entry.counterparty,
        purpose=_("Correction: %(purpose)s") % {"purpose": entry.purpose},
        contract=entry.contract,
        invoice_number=invoice_number,
        bank_reference=bank_reference,
        corrects=entry,
        note=reason,
        recorded_by=_recorder(actor),
    )
    _normalise(correction)
    with transaction.atomic():
        _lock_project(entry.project)
        if amount is not None:
            _require_net_not_negative(entry, change=amount)
        if correction.booked_on and correction.booked_on < entry.booked_on:
            raise ValidationError({"booked_on": _("A correction cannot be dated before the entry it corrects.")})
        _validate_new(correction)
        save_recorded(correction, actor=actor, reason="ledger_entry_correct")
        pages_changed(Change.LEDGER, project_id=correction.project_id)
        _publish_payments([(correction.contract_id, correction.booked_on)])
        return correction


def disclosure_publish(*, actor: Any, project: Project, year: int, quarter: int) -> QuarterlyDisclosure:
    """Publish a project's figures for a quarter that has ended, once; they are frozen from then."""
    require_project_manager(actor, project)
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("A quarter is 1, 2, 3 or 4.")})
    last_day = quarter_bounds(year, quarter)[1]
    if last_day >= timezone.localdate():
        raise ValidationError(
            {
                "quarter": _("%(year)s Q%(quarter)s has not ended yet; it can be disclosed after %(end)s.")
                % {"year": year, "quarter": quarter, "end": last_day.isoformat()}
            }
        )
    with transaction.atomic():
        project = _lock_project(project)
        if QuarterlyDisclosure.objects.filter(project=project, year=year, quarter=quarter).exists():
            raise ValidationError(
                {"quarter": _("%(year)s Q%(quarter)s has already been disclosed.") % {"year": year, "quarter": quarter}}
            )
        figures = quarter_figures(project, year, quarter)
        disclosure = QuarterlyDisclosure(
            project=project,
            year=year,
            quarter=quarter,
            opening_balance=figures.opening_balance,
            income_total=figures.income_total,
            payments_total=figures.payments_total,
            closing_balance=figures.closing_balance,
            entry_count=figures.entry_count,
            published_at=timezone.now(),
            published_by=_recorder(actor),
            **{f"income_{source}": figures.income.get(source, ZERO) for source in IncomeSource.values},
        )
        save_recorded(disclosure, actor=actor, reason="disclosure_publish")
        pages_changed(Change.DISCLOSURE, project_id=project.pk)
        return disclosure


from .import_services import (  # noqa: E402,F401  (the bank statement import, a background job)
    ledger_statement_import_run,
    ledger_statement_import_start,
    ledger_statement_import_visible,
)
