"""Domain operations of consultation. Each checks permission, validates, writes in one
transaction and leaves history naming the actor and the operation."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from renovation.accounts.permissions import can_manage_street, is_staff_member
from renovation.changelog.records import apply_changes, save_recorded
from renovation.figures import format_percent
from renovation.files.storage import deleted_if_rolled_back
from renovation.jobs.queue import enqueue_on_commit
from renovation.notifications.services import notify
from renovation.places.models import Neighbourhood
from renovation.projects.models import COMPLETED_STATUSES, Project, ProjectStatus
from renovation.projects.services import require_project_manager
from renovation.public.cache import Change, pages_changed
from renovation.spreadsheets.files import check_workbook_file

from .intent_services import _require_household_of, _require_not_future
from .join_services import linked_accounts
from .models import (
    CategoryScore,
    Channel,
    ConsultationRule,
    DecisionItem,
    DecisionOption,
    Household,
    HouseholdImport,
    SatisfactionRating,
    Vote,
)
from .permissions import require_household_voice
from .selectors import household_imports_visible_to
from .tally import intent_tally

HOUSEHOLD_FIELDS = ("neighbourhood", "building", "unit", "room", "floor_area", "contact_name", "phone")
IMPORT_FIELDS = ("floor_area", "contact_name", "phone")
COMMENT_MAX_LENGTH = 1000


# --- household register --------------------------------------------------------------------


def _require_neighbourhood_manager(actor: Any, neighbourhood: Neighbourhood | None) -> None:
    street_id = neighbourhood.community.street_id if neighbourhood is not None else None
    if street_id is None or not can_manage_street(actor, street_id):
        raise PermissionDenied(_("You may only manage households in your own street."))


def _resident_account(username: str) -> Any:
    """The account staff link after checking who the person is; never a staff account."""
    username = (username or "").strip()
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"resident_username": _("No active account has this name.")})
    if user.is_superuser or is_staff_member(user):
        raise ValidationError({"resident_username": _("A staff account cannot speak for a household.")})
    return user


def _household_save(actor: Any, household: Household, data: Mapping[str, Any], reason: str) -> Household:
    data = dict(data)
    username = data.pop("resident_username", None)
    for key in ("building", "unit", "room", "contact_name", "phone"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    apply_changes(household, data, HOUSEHOLD_FIELDS)
    _require_neighbourhood_manager(actor, household.neighbourhood if household.neighbourhood_id else None)
    if username is not None:
        household.resident = _resident_account(username)
    with transaction.atomic():
        save_recorded(household, actor=actor, reason=reason)
        _households_changed([household.neighbourhood_id])
    return household


def household_create(*, actor: Any, data: Mapping[str, Any]) -> Household:
    return _household_save(actor, Household(), data, "household_create")


def household_update(*, actor: Any, household: Household, data: Mapping[str, Any]) -> Household:
    _require_neighbourhood_manager(actor, household.neighbourhood)
    return _household_save(actor, household, data, "household_update")


def household_import_start(*, actor: Any, upload: UploadedFile) -> HouseholdImport:
    """Check the file cheaply (a real workbook of acceptable size), keep it privately under an
    unguessable name, and queue its import: the job row commits with the record, and the worker
    checks every row and writes all or nothing (``register.household_import_run``)."""
    from .tasks import household_import

    if not is_staff_member(actor):
        raise PermissionDenied(_("Only street and bureau staff may import household registers."))
    purpose = pgettext("workbook import", "household register")
    check_workbook_file(upload, name=upload.name, size=upload.size, purpose=purpose)
    record = HouseholdImport(uploaded_by=actor, original_name=upload.name[:255])
    with deleted_if_rolled_back(record, "workbook"), transaction.atomic():
        record.workbook.save(f"register-{secrets.token_urlsafe(16)}.xlsx", upload, save=False)
        save_recorded(record, actor=actor, reason="household_import")
        job = enqueue_on_commit(household_import, import_id=record.pk)
        if job is not None:
            HouseholdImport.objects.filter(pk=record.pk).update(job_id=job.id)
            record.job_id = job.id
    return record


def household_import_visible(*, actor: Any, import_id: int) -> HouseholdImport:
    """One register import for its status page: street staff see their own uploads (the files
    hold personal data), the bureau sees all; anyone else is refused, and another's import is
    as missing as one that never existed."""
    if not is_staff_member(actor):
        raise PermissionDenied(_("Only street and bureau staff may import household registers."))
    record = household_imports_visible_to(actor).filter(pk=import_id).first()
    if record is None:
        raise Http404
    return record


def household_rows_apply(*, actor: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Write checked register rows: new addresses are created, changed ones updated, the rest
    left alone, so importing the same file twice changes nothing. A fixed number of queries."""
    neighbourhood_ids = {row["neighbourhood"].pk for row in rows}
    for row in rows:
        _require_neighbourhood_manager(actor, row["neighbourhood"])
    existing = {
        (h.neighbourhood_id, h.building, h.unit, h.room): h
        for h in Household.objects.filter(neighbourhood_id__in=neighbourhood_ids)
    }
    created, updated = [], []
    for row in rows:
        key = (row["neighbourhood"].pk, row["building"], row["unit"], row["room"])
        household = existing.get(key)
        if household is None:
            created.append(
                Household(
                    neighbourhood=row["neighbourhood"],
                    building=row["building"],
                    unit=row["unit"],
                    room=row["room"],
                    **{name: row[name] for name in IMPORT_FIELDS},
                )
            )
        elif apply_changes(household, {name: row[name] for name in IMPORT_FIELDS}, IMPORT_FIELDS):
            updated.append(household)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        if created:
            bulk_create_with_history(
                created, Household, batch_size=500, default_user=user, default_change_reason="household_import"
            )
        if updated:
            bulk_update_with_history(
                updated,
                Household,
                list(IMPORT_FIELDS),
                batch_size=500,
                default_user=user,
                default_change_reason="household_import",
            )
        _households_changed({household.neighbourhood_id for household in created + updated})
    return {"created": len(created), "updated": len(updated), "unchanged": len(rows) - len(created) - len(updated)}


def _households_changed(neighbourhood_ids: Iterable[Any]) -> None:
    """The register is what the public tallies count against: the projects of those estates."""
    project_ids = Project.objects.filter(neighbourhood_id__in=set(neighbourhood_ids)).values_list("pk", flat=True)
    pages_changed(Change.CONSULTATION, project_ids=list(project_ids))


# --- intents and the approval threshold ----------------------------------------------------


KEEP: Any = object()  # an argument left as it is


def consultation_rule_set(
    *, actor: Any, project: Project, numerator: int, denominator: int, intent_closes_on: date | None = KEEP
) -> ConsultationRule:
    """The threshold and, optionally, the date residents are asked to answer by (None: no date)."""
    require_project_manager(actor, project)
    if project.status not in (ProjectStatus.PROPOSED, ProjectStatus.CONSULTING):
        # Moving the goalposts after the decision would void it; the public log shows any change.
        raise ValidationError(_("The threshold can be changed only before the project is approved."))
    rule = ConsultationRule.objects.filter(project=project).first() or ConsultationRule(project=project)
    rule.threshold_numerator, rule.threshold_denominator = numerator, denominator
    if intent_closes_on is not KEEP:
        rule.intent_closes_on = intent_closes_on
    if not (denominator and 0 < numerator <= denominator):
        raise ValidationError({"threshold_numerator": _("The threshold must be a fraction between 0 and 1, e.g. 2/3.")})
    with transaction.atomic():
        save_recorded(rule, actor=actor, reason="consultation_rule_set")
        pages_changed(Change.CONSULTATION, project_id=project.pk)
    return rule


def approval_threshold_require(*, project: Project) -> None:
    """The gate before approval: enough households must agree. Refuses with the current figures."""
    tally = intent_tally(project)
    if not tally.met:
        raise ValidationError(
            {
                "status": _(
                    "%(agree)s households agree, %(percent)s of %(households)s; the %(threshold)s threshold "
                    "(%(needed)s households) is not met."
                )
                % {
                    "agree": tally.agree,
                    "percent": format_percent(tally.agree_percent),
                    "households": tally.households,
                    "threshold": tally.threshold_label,
                    "needed": tally.needed,
                }
            }
        )


# --- decision items (议题) -------------------------------------------------------------------


def decision_item_create(
    *,
    actor: Any,
    project: Project,
    question: str,
    options: list[str],
    opens_on: date,
    closes_on: date,
    description: str = "",
) -> DecisionItem:
    require_project_manager(actor, project)
    labels = [label.strip() for label in options if label and label.strip()]
    if len(labels) < 2:
        raise ValidationError({"options": _("Give at least two options.")})
    if len(set(labels)) != len(labels):
        raise ValidationError({"options": _("Each option may appear only once.")})
    item = DecisionItem(
        project=project,
        question=(question or "").strip(),
        description=description.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
    )
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": _("Voting cannot close before it opens.")})
    with transaction.atomic():
        save_recorded(item, actor=actor, reason="decision_item_create")
        pages_changed(Change.CONSULTATION, project_id=project.pk)
        for order, label in enumerate(labels):
            save_recorded(
                DecisionOption(item=item, label=label, sort_order=order), actor=actor, reason="decision_item_create"
            )
        # Residents who speak for a household here are asked to vote (by SMS too if they opted in).
        notify(
            recipients=linked_accounts(project.neighbourhood_id),
            title=_("New vote: %(question)s") % {"question": item.question},
            url=reverse("consultation:household", args=[project.pk]),
            sms=True,
        )
    return item


def vote_cast(
    *,
    actor: Any,
    item: DecisionItem,
    household: Household,
    option: DecisionOption,
    channel: str = Channel.ONLINE,
    cast_on: date | None = None,
) -> Vote:
    """One vote per household per item; staff enter paper ballots, linked residents vote online."""
    is_staff = require_household_voice(actor, item.project, household)
    _require_household_of(item.project, household)
    if option.item_id != item.pk:
        raise ValidationError({"option": _("Choose one of this item's options.")})
    if not is_staff:
        channel, cast_on = Channel.ONLINE, None
    cast_on = _require_not_future(cast_on, "cast_on")
    if not item.opens_on <= cast_on <= item.closes_on:
        raise ValidationError(
            _("Voting on this item is open from %(opens)s to %(closes)s.")
            % {"opens": item.opens_on.isoformat(), "closes": item.closes_on.isoformat()}
        )
    vote = Vote(item=item, option=option, household=household, channel=channel, cast_on=cast_on, recorded_by=actor)
    with transaction.atomic():
        # Lock the household row: two devices of one family cannot both slip a vote in.
        Household.objects.select_for_update().filter(pk=household.pk).first()
        save_recorded(vote, actor=actor, reason="vote_cast")
        pages_changed(Change.CONSULTATION, project_id=item.project_id)
    return vote


# --- satisfaction (满意度) ---------------------------------------------------------------------


def satisfaction_rate(
    *,
    actor: Any,
    project: Project,
    household: Household,
    overall: int,
    scores: Mapping[str, int],
    comment: str = "",
    channel: str = Channel.ONLINE,
    rated_on: date | None = None,
) -> SatisfactionRating:
    is_staff = require_household_voice(actor, project, household)
    _require_household_of(project, household)
    if project.status not in COMPLETED_STATUSES:
        raise ValidationError(_("Households rate a project once its works have been accepted."))
    if not is_staff:
        channel, rated_on = Channel.ONLINE, None
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:  # a TextField's max_length binds forms only
        raise ValidationError(
            {"comment": _("Keep the comment under %(limit)s characters.") % {"limit": COMMENT_MAX_LENGTH}}
        )
    categories = set(project.work_items.values_list("category", flat=True))
    unknown = set(scores) - categories
    if unknown:
        raise ValidationError({"scores": _("Rate only the kinds of work this project did.")})
    rating = SatisfactionRating(
        project=project,
        household=household,
        overall=overall,
        comment=comment,
        channel=channel,
        rated_on=_require_not_future(rated_on, "rated_on"),
        recorded_by=actor,
    )
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()
        save_recorded(rating, actor=actor, reason="satisfaction_rate")
        pages_changed(Change.CONSULTATION, project_id=project.pk)
        for category, score in sorted(scores.items()):
            save_recorded(
                CategoryScore(rating=rating, category=category, score=score), actor=actor, reason="satisfaction_rate"
            )
    return rating


from .deliberation_services import (  # noqa: E402,F401  (the 三审两公开一备案 operations)
    deliberation_file,
    deliberation_implementation_publish,
    deliberation_stage_record,
    deliberation_start,
)
from .intent_services import (  # noqa: E402,F401  (intents: one by one, or a stack of paper letters)
    PaperLetter,
    intent_letters_record,
    intent_record,
    intents_record_batch,
)
