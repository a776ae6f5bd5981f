"""三审两公开一备案 operations, re-exported by ``services``: stages in their fixed order, a
rejection sending the deliberation back to the first stage, publication and filing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.changelog.records import save_recorded
from renovation.projects.models import Project, ProjectStatus
from renovation.projects.services import require_project_manager
from renovation.public.cache import Change, pages_changed

from .deliberation_models import STAGE_ORDER, Deliberation, DeliberationStage, DeliberationStatus, Outcome, Stage

# The works have started (or are done): the implementation can be made public.
WORKS_STARTED = (ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE)


def next_stage(deliberation: Deliberation, done: set[str] | None = None) -> str | None:
    """The stage that must come next in the current round; None once approved. ``done`` (the
    stages of the current round) saves the query when the stages are already loaded."""
    if deliberation.status != DeliberationStatus.IN_PROGRESS:
        return None
    if done is None:
        done = set(
            DeliberationStage.objects.filter(deliberation=deliberation, round=deliberation.round).values_list(
                "stage", flat=True
            )
        )
    return next((stage for stage in STAGE_ORDER if stage not in done), None)


def deliberation_start(*, actor: Any, project: Project, subject: str, description: str = "") -> Deliberation:
    """Open a deliberation; starting it is what makes it public (议事公开)."""
    require_project_manager(actor, project)
    deliberation = Deliberation(
        project=project,
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        published_at=timezone.now(),
        started_by=actor,
    )
    with transaction.atomic():
        save_recorded(deliberation, actor=actor, reason="deliberation_start")
        pages_changed(Change.CONSULTATION, project_id=deliberation.project_id)
    return deliberation


def deliberation_stage_record(
    *,
    actor: Any,
    deliberation: Deliberation,
    stage: str,
    held_on: date,
    outcome: str,
    minutes: str = "",
    attachment: UploadedFile | None = None,
) -> DeliberationStage:
    require_project_manager(actor, deliberation.project)
    with transaction.atomic():
        # Lock the deliberation: two clerks recording at once cannot both take the same turn.
        deliberation = Deliberation.objects.select_for_update().select_related("project").get(pk=deliberation.pk)
        expected = next_stage(deliberation)
        if expected is None:
            raise ValidationError(
                _("This deliberation is already %(status)s; no further stage can be recorded.")
                % {"status": deliberation.get_status_display()}
            )
        if stage != expected:
            raise ValidationError(
                {
                    "stage": _("Stages cannot be skipped or reordered: the next stage is “%(expected)s”.")
                    % {"expected": Stage(expected).label}
                }
            )
        if held_on and held_on > timezone.localdate():
            raise ValidationError({"held_on": _("The date cannot be in the future.")})
        previous = (
            # Across rounds too: a new round after a rejection cannot be dated before it.
            DeliberationStage.objects.filter(deliberation=deliberation)
            .order_by("-held_on")
            .values_list("held_on", flat=True)
            .first()
        )
        if held_on and held_on < timezone.localtime(deliberation.published_at).date():
            raise ValidationError({"held_on": _("A stage cannot be dated before the deliberation was made public.")})
        if previous and held_on and held_on < previous:
            raise ValidationError({"held_on": _("A stage cannot be dated before the stage before it.")})
        if outcome == Outcome.REJECTED and not (minutes or "").strip():
            raise ValidationError({"minutes": _("Say in the minutes why it was rejected.")})
        row = DeliberationStage(
            deliberation=deliberation,
            round=deliberation.round,
            stage=stage,
            held_on=held_on,
            outcome=outcome,
            minutes=(minutes or "").strip(),
            recorded_by=actor,
        )
        if attachment:
            # Stored when the row is saved, after validation: a refused file leaves nothing behind.
            row.attachment = attachment
        save_recorded(row, actor=actor, reason="deliberation_stage_record")
        pages_changed(Change.CONSULTATION, project_id=deliberation.project_id)
        if outcome == Outcome.REJECTED:
            # Back to the owners' committee; the rejected rows stay as the record of this round.
            deliberation.round += 1
            save_recorded(deliberation, actor=actor, reason="deliberation_rejected")
        elif stage == STAGE_ORDER[-1]:
            deliberation.status = DeliberationStatus.APPROVED
            save_recorded(deliberation, actor=actor, reason="deliberation_approved")
    return row


def deliberation_implementation_publish(*, actor: Any, deliberation: Deliberation) -> Deliberation:
    """实施公开: once the decision is approved and the works have started."""
    require_project_manager(actor, deliberation.project)
    if deliberation.status == DeliberationStatus.IN_PROGRESS:
        raise ValidationError(_("The implementation can be made public only after the assembly has approved."))
    if deliberation.project.status not in WORKS_STARTED:
        raise ValidationError(_("The implementation is made public when the works start."))
    if deliberation.implementation_published_at:
        raise ValidationError(_("The implementation has already been made public."))
    deliberation.implementation_published_at = timezone.now()
    with transaction.atomic():
        save_recorded(deliberation, actor=actor, reason="deliberation_implementation_publish")
        pages_changed(Change.CONSULTATION, project_id=deliberation.project_id)
    return deliberation


def deliberation_file(
    *, actor: Any, deliberation: Deliberation, filed_on: date | None = None, filed_with: str = ""
) -> Deliberation:
    """备案 with the street office closes the deliberation; only an approved one can be filed."""
    require_project_manager(actor, deliberation.project)
    if deliberation.status == DeliberationStatus.FILED:
        raise ValidationError(_("This deliberation has already been filed."))
    if deliberation.status != DeliberationStatus.APPROVED:
        raise ValidationError(_("Only a deliberation the assembly has approved can be filed."))
    filed_on = filed_on or timezone.localdate()
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("The date cannot be in the future.")})
    deliberation.status = DeliberationStatus.FILED
    deliberation.filed_on = filed_on
    deliberation.filed_with = (filed_with or "").strip() or deliberation.project.neighbourhood.community.street.name
    with transaction.atomic():
        save_recorded(deliberation, actor=actor, reason="deliberation_file")
        pages_changed(Change.CONSULTATION, project_id=deliberation.project_id)
    return deliberation
