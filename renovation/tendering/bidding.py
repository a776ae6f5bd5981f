"""Domain operations of bidders: registering a company, its documents, and sealed bids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.changelog.records import apply_changes, save_recorded
from renovation.figures import format_yuan
from renovation.notifications.services import notify
from renovation.public.cache import Change, pages_changed

from .codes import normalise_uscc
from .models import SEALED_STATUSES, Bid, Bidder, BidderDocument, BidderReview, Contract, Tender, TenderStatus
from .permissions import may_bid, require_bidder_account
from .seal import new_content, seal_content, seal_file

BIDDER_FIELDS = ("name", "uscc", "contact_name", "contact_phone", "address")
# What a public page or OCDS shows of a bidder (its contact person, phone and address: never).
BIDDER_PUBLIC_FIELDS = ("name", "uscc")
DOCUMENT_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png"}
PROPOSAL_SUFFIXES = {".pdf", ".doc", ".docx", ".zip", ".rar", ".7z", ".xls", ".xlsx", ".jpg", ".jpeg", ".png"}
MAX_DURATION_DAYS = 3650


def bidder_register(*, actor: Any, data: Mapping[str, Any]) -> Bidder:
    """Register a company and make the actor one of its accounts."""
    if not may_bid(actor):
        raise PermissionDenied(_("Sign in with a personal or company account to register a bidder; staff cannot bid."))
    bidder = Bidder()
    data = dict(data)
    data["uscc"] = normalise_uscc(data.get("uscc", ""))
    apply_changes(bidder, data, BIDDER_FIELDS)
    with transaction.atomic():
        save_recorded(bidder, actor=actor, reason="bidder_register")
        bidder.accounts.add(actor)
    return bidder


def bidder_update(*, actor: Any, bidder: Bidder, data: Mapping[str, Any]) -> Bidder:
    require_bidder_account(actor, bidder)
    data = dict(data)
    if "uscc" in data:
        data["uscc"] = normalise_uscc(data["uscc"])
    changed = apply_changes(bidder, data, BIDDER_FIELDS)
    with transaction.atomic():
        save_recorded(bidder, actor=actor, reason="bidder_update")
        if set(changed) & set(BIDDER_PUBLIC_FIELDS):
            # Its name stands in opening records, awards and contracts once they are public: only
            # the pages of the tenders it bid in and of their projects change, if any.
            bids = list(Bid.objects.filter(bidder=bidder).values_list("tender_id", "tender__project_id"))
            contracts = Contract.objects.filter(contractor=bidder).values_list("project_id", flat=True)
            tender_ids = {tender_id for tender_id, _project in bids}
            project_ids = {project for project in (*(project for _tender, project in bids), *contracts) if project}
            if tender_ids or project_ids:
                pages_changed(Change.TENDER, tender_ids=tender_ids, project_ids=project_ids)
    return bidder


def _bidder_not_approved(bidder: Bidder) -> str:
    if bidder.review_status == BidderReview.REJECTED:
        return _("%(name)s did not pass the qualification review (%(reason)s) and cannot bid.") % {
            "name": bidder.name,
            "reason": bidder.review_reason,
        }
    return _("%(name)s is waiting for staff to review its qualification documents; it can bid once approved.") % {
        "name": bidder.name
    }


def _check_upload(upload: UploadedFile, *, suffixes: set[str], max_bytes: int) -> None:
    name = upload.name or ""
    if PurePath(name).suffix.lower() not in suffixes:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type (%(types)s).")
            % {"name": name, "types": "、".join(sorted(suffixes))}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": max_bytes // (1024 * 1024)}
        )


def bidder_document_add(*, actor: Any, bidder: Bidder, title: str, upload: UploadedFile) -> BidderDocument:
    require_bidder_account(actor, bidder)
    try:
        _check_upload(upload, suffixes=DOCUMENT_SUFFIXES, max_bytes=settings.TENDER_PROPOSAL_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    document = BidderDocument(bidder=bidder, title=title.strip(), file=upload)
    with transaction.atomic():
        return save_recorded(document, actor=actor, reason="bidder_document_add")


@dataclass(frozen=True)
class Receipt:
    """What the bidder keeps: proof of when its sealed bid was received, and its digest."""

    tender_code: str
    bidder_name: str
    submitted_at: datetime
    version: int
    digest: str


def receipt_for(bid: Bid) -> Receipt:
    return Receipt(
        tender_code=bid.tender.code,
        bidder_name=bid.bidder.name,
        submitted_at=bid.submitted_at,
        version=bid.version,
        digest=bid.digest,
    )


def _clean_amount(tender: Tender, amount: Any) -> Decimal:
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"amount": _("Enter the bid amount as a number of yuan.")}) from error
    if value <= 0:
        raise ValidationError({"amount": _("The bid amount must be more than zero.")})
    if value > tender.ceiling_price:
        raise ValidationError(
            {
                "amount": _("The bid is above the ceiling price of %(ceiling)s and cannot be accepted.")
                % {"ceiling": format_yuan(tender.ceiling_price)}
            }
        )
    return value


def _clean_duration(duration_days: Any) -> int:
    try:
        value = int(duration_days)
    except (TypeError, ValueError) as error:
        raise ValidationError({"duration_days": _("Enter the duration as a whole number of days.")}) from error
    if not 1 <= value <= MAX_DURATION_DAYS:
        raise ValidationError(
            {"duration_days": _("The duration must be between 1 and %(max)s days.") % {"max": MAX_DURATION_DAYS}}
        )
    return value


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _require_bid_period(tender: Tender, now: datetime) -> None:
    if tender.accepts_bids(now):
        return
    if tender.status == TenderStatus.DRAFT:
        raise ValidationError(_("This tender has not been announced."))
    if tender.status in SEALED_STATUSES and now < tender.bid_period_start:
        raise ValidationError(_("Bids are accepted from %(start)s.") % {"start": _when(tender.bid_period_start)})
    raise ValidationError(
        _("The bid period closed at %(end)s; no more bids are accepted.") % {"end": _when(tender.bid_period_end)}
    )


def bid_submit(
    *,
    actor: Any,
    tender: Tender,
    bidder: Bidder,
    amount: Any,
    duration_days: Any,
    proposal: UploadedFile,
) -> Bid:
    """Seal and store a bid; a second submission by the same company replaces the first."""
    if not may_bid(actor):
        raise PermissionDenied(_("Staff run tenders and cannot bid in them."))
    require_bidder_account(actor, bidder)
    if not bidder.may_bid:
        raise ValidationError(_bidder_not_approved(bidder))
    now = timezone.now()
    _require_bid_period(tender, now)
    value = _clean_amount(tender, amount)
    days = _clean_duration(duration_days)
    if proposal is None:
        raise ValidationError({"proposal": _("Attach the technical proposal.")})
    try:
        _check_upload(proposal, suffixes=PROPOSAL_SUFFIXES, max_bytes=settings.TENDER_PROPOSAL_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"proposal": error.messages}) from error
    proposal_bytes = proposal.read()
    content = new_content(
        tender=tender,
        bidder_uscc=bidder.uscc,
        amount=value,
        duration_days=days,
        proposal_name=PurePath(proposal.name or "proposal").name,
        proposal_bytes=proposal_bytes,
        submitted_at=now,
    )
    with transaction.atomic():
        # Lock the tender row: the close of the bid period and concurrent replacements serialise here.
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        _require_bid_period(locked, timezone.now())
        bid = Bid.objects.select_for_update().filter(tender=locked, bidder=bidder).first()
        replacing = bid is not None
        if bid is None:
            bid = Bid(tender=locked, bidder=bidder, version=1)
        else:
            bid.version += 1
        bid.sealed_content = seal_content(content)
        bid.digest = content.digest
        bid.submitted_at = now
        bid.submitted_by = actor
        bid.sealed_file.save("sealed", ContentFile(seal_file(proposal_bytes)), save=False)
        save_recorded(bid, actor=actor, reason="bid_replace" if replacing else "bid_submit")
        notify(
            recipients=bidder.accounts.all(),
            # A sentence naming the tender as people know it; the digest stays on the receipt page.
            title=_("Your sealed bid for “%(tender)s” (%(project)s) was received")
            % {"tender": locked.title, "project": locked.project.name},
            body=_("Received %(when)s. The receipt with its digest is on the bid page.")
            % {"when": f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S}"},
            url=f"/tenders/{locked.pk}/bid/",
        )
    return bid
