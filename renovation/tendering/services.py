"""Domain operations of the street tendering channel, from the draft to the contract's changes.

Street staff of the project's street (or bureau staff) run a tender. Each operation checks that,
validates, writes in one transaction with a history reason, and freezes an OCDS release when the
change is one the public is told about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.changelog.records import apply_changes, save_recorded
from renovation.notifications.services import followers_notify_award
from renovation.projects.models import Project, ProjectStatus
from renovation.projects.services import DECIDED_STATUSES
from renovation.public.cache import Change, pages_changed

from .evaluation import BidScore, rank_bids
from .models import (
    SEALED_STATUSES,
    Award,
    Bid,
    BidEvaluation,
    Objection,
    Tender,
    TenderStatus,
)
from .ocds import release_record
from .permissions import require_tender_manager
from .seal import unseal, unsealed_text
from .selectors import may_evaluate, open_objections, opening_failure_reason

TENDER_FIELDS = (
    "project",
    "title",
    "kind",
    "ceiling_price",
    "method",
    "price_weight",
    "technical_weight",
    "announcement",
    "bid_period_start",
    "bid_period_end",
    "opening_at",
    "publicity_days",
)
OBJECTION_MAX_LENGTH = 2000


def _refuse(message: str, field: str | None = None) -> None:
    raise ValidationError({field: message} if field else message)


def _set_work_items(tender: Tender, work_items: Iterable[Any] | None) -> None:
    items = list(work_items or [])
    if not items:
        _refuse(_("Choose the work items this tender covers."), "work_items")
    foreign = [item for item in items if item.project_id != tender.project_id]
    if foreign:
        _refuse(_("Every work item must belong to the tender's project."), "work_items")
    # One piece of work, one live tender: two could end in two contracts for the same works.
    taken = (
        Tender.objects.filter(work_items__in=items)
        .exclude(pk=tender.pk)
        .exclude(status=TenderStatus.FAILED)
        .values_list("code", flat=True)
        .distinct()
    )
    if taken:
        _refuse(
            _("These works are already in tender %(codes)s; a work item can be in only one tender that has not failed.")
            % {"codes": "、".join(taken)},
            "work_items",
        )
    tender.work_items.set(items)


def _next_code(project: Project) -> str:
    taken = set(Tender.objects.filter(project=project).values_list("code", flat=True))
    number = len(taken) + 1
    while f"{project.code}-ZB{number:02d}" in taken:
        number += 1
    return f"{project.code}-ZB{number:02d}"


def tender_create(*, actor: Any, data: Mapping[str, Any], work_items: Iterable[Any] | None = None) -> Tender:
    tender = Tender(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    apply_changes(tender, data, TENDER_FIELDS)
    if not tender.project_id:
        _refuse(_("Choose the project whose works are tendered."), "project")
    require_tender_manager(actor, tender)
    if tender.project.status not in DECIDED_STATUSES:  # residents have decided
        _refuse(
            _("A project is tendered once residents have approved it; this one is “%(status)s”.")
            % {"status": tender.project.get_status_display()},
            "project",
        )
    tender.code = _next_code(tender.project)
    with transaction.atomic():
        save_recorded(tender, actor=actor, reason="tender_create")
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
        _set_work_items(tender, work_items)
    return tender


def _require_status(tender: Tender, *statuses: str, message: str) -> None:
    if tender.status not in statuses:
        _refuse(message)


def tender_update(*, actor: Any, tender: Tender, data: Mapping[str, Any], work_items: Iterable[Any] | None) -> Tender:
    require_tender_manager(actor, tender)
    _require_status(tender, TenderStatus.DRAFT, message=_("An announced tender cannot be edited."))
    project_id = tender.project_id
    apply_changes(tender, data, TENDER_FIELDS)
    if tender.project_id != project_id:
        _refuse(_("A tender stays with its project."), "project")
    with transaction.atomic():
        save_recorded(tender, actor=actor, reason="tender_update")
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
        _set_work_items(tender, work_items)
    return tender


def tender_announce(*, actor: Any, tender: Tender) -> Tender:
    """Publish the announcement; bids are accepted during the bid period that follows."""
    require_tender_manager(actor, tender)
    _require_status(tender, TenderStatus.DRAFT, message=_("This tender has already been announced."))
    now = timezone.now()
    if tender.bid_period_end <= now:
        _refuse(_("The bid period has already ended; set new dates before announcing."), "bid_period_end")
    if not tender.work_items.exists():
        _refuse(_("Choose the work items this tender covers."), "work_items")
    tender.status = TenderStatus.BIDDING if tender.bid_period_start <= now else TenderStatus.ANNOUNCED
    tender.announced_at = now
    with transaction.atomic():
        save_recorded(tender, actor=actor, reason="tender_announce")
        project = tender.project
        if project.status == ProjectStatus.APPROVED:
            project.status = ProjectStatus.TENDERING
            save_recorded(project, actor=actor, reason="project_status_change")
        release_record(tender, tags=["tender"], now=now)
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
    return tender


def tender_catch_up(*, tender: Tender, now: datetime | None = None) -> Tender:
    """Move the stored status to where the clock is: bidding, then opened (or failed when too
    few bids came in), recording each bid's opened content with the opening (``_record_opened``).
    The clock job (``tenders_advance``) and the bid and objection POSTs call it, never a GET; the
    seal itself never waits for it. Safe to call any number of times and from several processes."""
    now = now or timezone.now()
    if tender.status not in SEALED_STATUSES or tender.phase(now) == tender.status:
        return tender
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        phase = locked.phase(now)
        if locked.status not in SEALED_STATUSES or phase == locked.status:
            return locked
        if phase == TenderStatus.BIDDING:
            locked.status = TenderStatus.BIDDING
            save_recorded(locked, actor=None, reason="tender_bidding")
            pages_changed(Change.TENDER, project_id=locked.project_id, tender_id=locked.pk)
            return locked
        bids = list(Bid.objects.filter(tender=locked))
        _record_opened(bids, tender=locked, now=now)
        locked.opened_at = now
        failure = opening_failure_reason(len(bids))
        if failure is not None:
            _mark_failed(locked, now=now, actor=None, reason=failure)
        else:
            locked.status = TenderStatus.OPENED
            save_recorded(locked, actor=None, reason="tender_open")
        # The opening happened at the opening time, whenever a page or the command caught it up.
        release_record(locked, tags=["tenderUpdate"], now=now, date=locked.opening_at)
        pages_changed(Change.TENDER, project_id=locked.project_id, tender_id=locked.pk)
    return locked


def _record_opened(bids: list[Bid], *, tender: Tender, now: datetime) -> None:
    """Write each bid's unsealed text beside its token, as the opening record publishes it: pages
    then read it (``seal.opened``) instead of decrypting. ``unsealed_text`` refuses before the
    opening time, so nothing is written then. The column is left out of history (it is derived
    from the sealed content), so a plain bulk update records all that there is to record."""
    for bid in bids:
        bid.tender = tender
        bid.opened_content = unsealed_text(bid, now=now)
    Bid.objects.bulk_update(bids, ["opened_content"])


def bid_openings_catch_up(*, now: datetime | None = None) -> int:
    """Record the opened content of the bids whose tender's opening time has passed but whose
    opening was not recorded with it: a database from before ``Bid.opened_content``, or a
    tender the clock opened while it could not decrypt. Pages show the same before and after
    (they unseal such bids), so no page changes. Returns how many bids were recorded."""
    now = now or timezone.now()
    pending = Bid.objects.filter(opened_content="", tender__opening_at__lte=now).select_related("tender")
    by_tender: dict[int, list[Bid]] = {}
    for bid in pending:
        by_tender.setdefault(bid.tender_id, []).append(bid)
    for bids in by_tender.values():
        _record_opened(bids, tender=bids[0].tender, now=now)
    return sum(len(bids) for bids in by_tender.values())


def _mark_failed(tender: Tender, *, now: datetime, actor: Any, reason: str) -> None:
    """Too few (valid) bids: the tender fails (流标) and may be announced again."""
    tender.status = TenderStatus.FAILED
    tender.failed_at = now
    tender.failure_reason = reason
    save_recorded(tender, actor=actor, reason="tender_failed")
    pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)


def tenders_catch_up(*, now: datetime | None = None) -> int:
    """Catch up every tender whose stored status lags the clock, and record the opened content
    of any opened tender's bids still without it; returns how many tenders moved."""
    now = now or timezone.now()
    moved = 0
    for tender in Tender.objects.filter(status__in=SEALED_STATUSES, bid_period_start__lte=now):
        if tender.phase(now) != tender.status:
            tender_catch_up(tender=tender, now=now)
            moved += 1
    bid_openings_catch_up(now=now)
    return moved


def _opened(tender: Tender, now: datetime) -> Tender:
    tender = tender_catch_up(tender=tender, now=now)
    if not tender.is_opened(now):
        _refuse(_("Bids stay sealed until the opening time."))
    return tender


def tender_evaluate(*, actor: Any, tender: Tender, scores: Mapping[int, Mapping[str, Any]]) -> Tender:
    """Record the evaluation: per bid compliant or not, its technical score (for the scoring
    method) and a note; the ranking follows. Re-evaluating after an upheld objection restarts
    the publicity."""
    require_tender_manager(actor, tender)
    now = timezone.now()
    tender = _opened(tender, now)
    if not may_evaluate(tender):
        _refuse(
            _("The ranking is in publicity; it can be evaluated again only after an objection was upheld.")
            if tender.status == TenderStatus.PUBLICITY
            else _("This tender can no longer be evaluated.")
        )
    bids = list(Bid.objects.filter(tender=tender).select_related("bidder", "tender"))
    missing = [bid.bidder.name for bid in bids if bid.pk not in scores]
    if missing:
        _refuse(_("Evaluate every bid; missing: %(names)s.") % {"names": "、".join(missing)})
    ranked = rank_bids(
        tender,
        [
            BidScore(
                bid=bid,
                amount=unseal(bid, now=now).amount,
                compliant=bool(scores[bid.pk].get("compliant")),
                technical_score=scores[bid.pk].get("technical_score"),
                note=scores[bid.pk].get("note", "") or "",
            )
            for bid in bids
        ],
    )
    with transaction.atomic():
        for score in ranked:
            evaluation = BidEvaluation.objects.filter(bid=score.bid).first() or BidEvaluation(bid=score.bid)
            evaluation.compliant = score.compliant
            evaluation.technical_score = score.technical_score
            evaluation.price_score = score.price_score
            evaluation.total_score = score.total_score
            evaluation.rank = score.rank
            evaluation.note = score.note
            evaluation.evaluated_by = actor
            evaluation.evaluated_at = now
            save_recorded(evaluation, actor=actor, reason="bid_evaluate")
        valid = sum(1 for score in ranked if score.compliant)
        tender.evaluated_at = now
        tender.publicity_start = tender.publicity_end = None
        if valid < settings.TENDER_MIN_VALID_BIDS:
            _mark_failed(
                tender,
                now=now,
                actor=actor,
                reason=_("Only %(count)s valid bid(s) after evaluation; at least %(min)s are needed.")
                % {"count": valid, "min": settings.TENDER_MIN_VALID_BIDS},
            )
            release_record(tender, tags=["tenderUpdate"], now=now)
        else:
            tender.status = TenderStatus.EVALUATED
            save_recorded(tender, actor=actor, reason="tender_evaluate")
            pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
    return tender


def tender_publicize(*, actor: Any, tender: Tender) -> Tender:
    """Publish the first-ranked bid as the winner candidate for the publicity period."""
    require_tender_manager(actor, tender)
    _require_status(tender, TenderStatus.EVALUATED, message=_("Evaluate the bids before publishing a candidate."))
    now = timezone.now()
    tender.status = TenderStatus.PUBLICITY
    tender.publicity_start = now
    tender.publicity_end = tender.publicity_end_for(now)
    with transaction.atomic():
        save_recorded(tender, actor=actor, reason="tender_publicize")
        release_record(tender, tags=["award"], now=now)
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
    return tender


def objection_lodge(*, actor: Any, tender: Tender, text: str) -> Objection:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to lodge an objection."))
    text = (text or "").strip()
    if not text:
        _refuse(_("Write what you object to."), "text")
    if len(text) > OBJECTION_MAX_LENGTH:
        _refuse(_("An objection can be at most %(max)s characters.") % {"max": OBJECTION_MAX_LENGTH}, "text")
    if not tender.publicity_open(timezone.now()):
        _refuse(_("Objections can be lodged only during the publicity period."))
    objection = Objection(tender=tender, lodged_by=actor, text=text, lodged_at=timezone.now())
    with transaction.atomic():
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
        return save_recorded(objection, actor=actor, reason="objection_lodge")


def objection_answer(*, actor: Any, objection: Objection, answer: str, upheld: bool) -> Objection:
    require_tender_manager(actor, objection.tender)
    answer = (answer or "").strip()
    if not answer:
        _refuse(_("Write the answer to the objection."), "answer")
    if objection.answered_at is not None:
        _refuse(_("This objection has already been answered."))
    objection.answer = answer
    objection.upheld = upheld
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    with transaction.atomic():
        pages_changed(Change.TENDER, project_id=objection.tender.project_id, tender_id=objection.tender_id)
        return save_recorded(objection, actor=actor, reason="objection_answer")


def tender_award(*, actor: Any, tender: Tender) -> Award:
    require_tender_manager(actor, tender)
    _require_status(tender, TenderStatus.PUBLICITY, message=_("Publish the winner candidate first."))
    now = timezone.now()
    if now < tender.publicity_end:
        _refuse(
            _("The publicity period runs until %(end)s; award after it ends.")
            % {"end": f"{timezone.localtime(tender.publicity_end):%Y-%m-%d %H:%M}"}
        )
    blocking = open_objections(tender)
    if any(objection.answered_at is None for objection in blocking):
        _refuse(_("Answer every objection before the award."))
    if blocking:
        _refuse(_("An objection was upheld: evaluate the bids again before the award."))
    winner = BidEvaluation.objects.select_related("bid__bidder", "bid__tender").filter(bid__tender=tender, rank=1)
    evaluation = winner.first()
    if evaluation is None:
        _refuse(_("No bid is ranked first."))
    content = unseal(evaluation.bid, now=now)
    award = Award(
        tender=tender,
        bid=evaluation.bid,
        bidder=evaluation.bid.bidder,
        amount=content.amount,
        duration_days=content.duration_days,
        awarded_at=now,
        awarded_by=actor,
    )
    tender.status = TenderStatus.AWARDED
    with transaction.atomic():
        save_recorded(award, actor=actor, reason="tender_award")
        save_recorded(tender, actor=actor, reason="tender_award")
        release_record(tender, tags=["award"], now=now)
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
        followers_notify_award(award=award, actor=actor)
    return award


def tender_reannounce(*, actor: Any, tender: Tender, data: Mapping[str, Any]) -> Tender:
    """A failed tender (流标) starts again as a new draft with the same works and new dates."""
    require_tender_manager(actor, tender)
    _require_status(tender, TenderStatus.FAILED, message=_("Only a failed tender can be announced again."))
    if tender.reannouncements.exists():
        _refuse(_("This tender has already been announced again."))
    copied = {name: getattr(tender, name) for name in TENDER_FIELDS if name not in data}
    with transaction.atomic():
        new = tender_create(actor=actor, data={**copied, **data}, work_items=list(tender.work_items.all()))
        new.previous = tender
        save_recorded(new, actor=actor, reason="tender_reannounce")
        pages_changed(Change.TENDER, project_id=tender.project_id, tender_id=tender.pk)
        pages_changed(Change.TENDER, project_id=new.project_id, tender_id=new.pk)
    return new
