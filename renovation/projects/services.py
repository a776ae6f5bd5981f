"""Domain operations on projects, work items and progress reports.

Every function checks the actor's permission, validates, writes in one transaction and leaves a
history row naming the actor and the operation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from renovation.accounts.permissions import can_confirm_progress, can_manage_street
from renovation.changelog.records import apply_changes, save_recorded
from renovation.files.photos import ProcessedPhoto, public_copy, validate_photos
from renovation.notifications.services import followers_notify_progress
from renovation.public.cache import Change, pages_changed
from renovation.realtime.events import project_group, publish
from renovation.realtime.messages import project_status_message

from .lifecycle import status_change_check
from .models import (
    HUNDRED,
    PROGRESS_PHOTO_PUBLIC_FOLDER,
    PhotoPhase,
    ProgressPhoto,
    ProgressReport,
    ProgressReportStatus,
    Project,
    ProjectPublicSummary,
    ProjectStatus,
    WorkItem,
    WorkItemStatus,
)
from .progress import weighted_progress

PROJECT_FIELDS = (
    "neighbourhood",
    "code",
    "slug",
    "name",
    "plan_year",
    "status",
    "summary",
    "budget_central",
    "budget_provincial",
    "budget_city",
    "budget_resident",
    "budget_other",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "supervising_engineer",
    "staff_in_charge",
)
WORK_ITEM_FIELDS = (
    "project",
    "category",
    "description",
    "quantity",
    "unit",
    "budget",
    "procurement_kind",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "sort_order",
)

S = ProjectStatus
# The lifecycle of DESIGN.md; "suspended" can be entered from any active stage and left back to one.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.CONSULTING, S.SUSPENDED},
    S.CONSULTING: {S.PROPOSED, S.APPROVED, S.SUSPENDED},
    S.APPROVED: {S.TENDERING, S.UNDER_CONSTRUCTION, S.SUSPENDED},
    S.TENDERING: {S.APPROVED, S.UNDER_CONSTRUCTION, S.SUSPENDED},
    S.UNDER_CONSTRUCTION: {S.ACCEPTED, S.SUSPENDED},
    S.ACCEPTED: {S.AFTERCARE},
    S.AFTERCARE: set(),
    S.SUSPENDED: {S.PROPOSED, S.CONSULTING, S.APPROVED, S.TENDERING, S.UNDER_CONSTRUCTION},
}


def _street_of_project(project: Project) -> Any:
    return project.neighbourhood.community.street if project.neighbourhood_id else None


def require_project_manager(actor: Any, project: Project) -> None:
    """Raise PermissionDenied unless the actor manages the project's street."""
    street = _street_of_project(project)
    if street is None or not can_manage_street(actor, street):
        raise PermissionDenied(_("You may only manage projects in your own street."))


def project_slug_suggest(*, plan_year: int, neighbourhood_name: str, exclude_pk: int | None = None) -> str:
    base = slugify(f"{plan_year}-{neighbourhood_name}", allow_unicode=True) or str(plan_year)
    candidate, counter = base, 2
    taken = Project.objects.exclude(pk=exclude_pk).filter(slug__startswith=base).values_list("slug", flat=True)
    taken = set(taken)
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def project_create(*, actor: Any, data: Mapping[str, Any]) -> Project:
    project = Project()
    apply_changes(project, data, PROJECT_FIELDS)
    require_project_manager(actor, project)
    if project.status not in (S.PROPOSED, S.CONSULTING):
        # Later stages follow the residents' decision and the tenders, which a new project has not had.
        raise ValidationError(
            {"status": _("A new project starts as proposed or consulting residents; later stages follow from there.")}
        )
    if not project.name and project.neighbourhood_id:
        project.name = _("Renovation of %(neighbourhood)s") % {"neighbourhood": project.neighbourhood.name}
    if not project.slug and project.neighbourhood_id and project.plan_year:
        project.slug = project_slug_suggest(plan_year=project.plan_year, neighbourhood_name=project.neighbourhood.name)
    with transaction.atomic():
        save_recorded(project, actor=actor, reason="project_create")
        pages_changed(Change.PROJECT, project_id=project.pk)
    return project


def project_update(*, actor: Any, project: Project, data: Mapping[str, Any]) -> Project:
    require_project_manager(actor, project)
    previous_status = Project.objects.values_list("status", flat=True).get(pk=project.pk)
    apply_changes(project, data, PROJECT_FIELDS)
    # Moving a project to another street needs the right to manage that street too.
    require_project_manager(actor, project)
    if project.status != previous_status and project.status not in STATUS_TRANSITIONS[previous_status]:
        raise ValidationError(
            {
                "status": _("A project cannot go from “%(old)s” to “%(new)s”.")
                % {"old": ProjectStatus(previous_status).label, "new": ProjectStatus(project.status).label}
            }
        )
    if project.status != previous_status and project.status == ProjectStatus.UNDER_CONSTRUCTION:
        _require_planned_dates(project)
    reason = "project_status_change" if project.status != previous_status else "project_update"
    with transaction.atomic():
        # The apps built on projects veto status changes through their registered gates (the
        # residents' threshold, the must-tender contracts), read in this transaction.
        status_change_check(project=project, old_status=previous_status, new_status=project.status)
        save_recorded(project, actor=actor, reason=reason)
        pages_changed(Change.PROJECT, project_id=project.pk)
        if project.status != previous_status:
            publish(project_group(project.pk), project_status_message(project))
    return project


# The stages that come after the residents' decision.
DECIDED_STATUSES = (S.APPROVED, S.TENDERING, S.UNDER_CONSTRUCTION, S.ACCEPTED, S.AFTERCARE)


def _require_planned_dates(project: Project) -> None:
    """Lateness is measured against the plan: construction starts only with planned dates."""
    missing = {
        name: _("Enter the planned date before construction starts.")
        for name in ("planned_start", "planned_end")
        if getattr(project, name) is None
    }
    if missing:
        raise ValidationError(missing)


def project_progress_recalculate(*, project: Project, actor: Any, reason: str) -> Project:
    """Set the project's progress to the budget-weighted mean of its work items. Its callers
    report the change to the public pages (a work item changed, progress confirmed)."""
    progress = weighted_progress(WorkItem.objects.filter(project=project).values_list("budget", "progress"))
    if progress != project.progress:
        project.progress = progress
        save_recorded(project, actor=actor, reason=reason)
        publish(project_group(project.pk), project_status_message(project))
    return project


def work_item_create(*, actor: Any, data: Mapping[str, Any]) -> WorkItem:
    item = WorkItem()
    apply_changes(item, data, WORK_ITEM_FIELDS)
    if not item.project_id:
        raise ValidationError({"project": _("Choose the project this work item belongs to.")})
    require_project_manager(actor, item.project)
    with transaction.atomic():
        save_recorded(item, actor=actor, reason="work_item_create")
        pages_changed(Change.WORK_ITEM, project_id=item.project_id)
        project_progress_recalculate(project=item.project, actor=actor, reason="work_item_create")
    return item


def work_item_update(*, actor: Any, work_item: WorkItem, data: Mapping[str, Any]) -> WorkItem:
    require_project_manager(actor, work_item.project)
    old_project_id = work_item.project_id
    apply_changes(work_item, data, WORK_ITEM_FIELDS)
    require_project_manager(actor, work_item.project)
    with transaction.atomic():
        save_recorded(work_item, actor=actor, reason="work_item_update")
        pages_changed(Change.WORK_ITEM, project_ids=[old_project_id, work_item.project_id])
        project_progress_recalculate(project=work_item.project, actor=actor, reason="work_item_update")
        if old_project_id != work_item.project_id:
            old_project = Project.objects.get(pk=old_project_id)
            project_progress_recalculate(project=old_project, actor=actor, reason="work_item_update")
    return work_item


def progress_report_submit(
    *,
    actor: Any,
    work_item: WorkItem,
    percent: Decimal,
    note: str = "",
    reported_on: date | None = None,
    photos: Sequence[UploadedFile] = (),
    photo_phase: str = PhotoPhase.DURING,
) -> ProgressReport:
    """Record how far a work item has come, with photos of the works (before, during or after);
    it counts, and its photos are shown, once bureau staff confirm it. Nothing is saved unless
    every photo is a real, readable image within the limits (the site issues' own pipeline)."""
    require_project_manager(actor, work_item.project)
    report = ProgressReport(
        work_item=work_item,
        percent=percent,
        note=note,
        reported_on=reported_on or timezone.localdate(),
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    errors: dict[str, list] = {}
    try:
        report.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if report.reported_on and report.reported_on > timezone.localdate():
        errors.setdefault("reported_on", []).append(_("A progress report cannot be dated in the future."))
    if photos and photo_phase not in PhotoPhase.values:
        errors["photo_phase"] = [_("Choose whether the photos show the site before, during or after the works.")]
    try:
        processed = validate_photos(list(photos), minimum=0, maximum=settings.PROGRESS_REPORT_MAX_PHOTOS)
    except ValidationError as error:
        errors["photos"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_recorded(report, actor=actor, reason="progress_report_submit")
        _store_progress_photos(report, processed, phase=photo_phase, actor=actor)
    return report


def _store_progress_photos(report: ProgressReport, photos: Sequence[ProcessedPhoto], *, phase: str, actor: Any) -> None:
    for order, photo in enumerate(photos):
        stored = ProgressPhoto(report=report, phase=phase, taken_at=photo.taken_at, uploaded_by=actor, sort_order=order)
        stored.image.save(photo.display.name, photo.display, save=False)
        stored.thumbnail.save(photo.thumbnail.name, photo.thumbnail, save=False)
        save_recorded(stored, actor=actor, reason="progress_photo_attach")


def progress_photos_publish(*, report_id: int) -> int:
    """Copy the photos of a confirmed report to the public storage (``public_copy``: new random
    names, bytes already without metadata); returns how many were copied. Photos already copied
    or withdrawn are skipped, so running it again is harmless. Until a copy exists the page links
    the permission-checked view, which answers everyone for a confirmed report."""
    report = ProgressReport.objects.select_related("work_item").filter(pk=report_id).first()
    if report is None or not report.is_public:
        return 0
    pending = report.photos.filter(withdrawn_at__isnull=True).filter(Q(public_image="") | Q(public_thumbnail=""))
    copied = 0
    for photo in pending:
        names = [public_copy(field, folder=PROGRESS_PHOTO_PUBLIC_FOLDER) for field in (photo.image, photo.thumbnail)]
        # Only if nobody withdrew the photo while it was being copied; otherwise the copies go.
        stored = ProgressPhoto.objects.filter(pk=photo.pk, withdrawn_at__isnull=True).update(
            public_image=names[0], public_thumbnail=names[1]
        )
        if stored:
            copied += 1
        else:
            _delete_public_files(names)
    if copied:
        # The cached page links the permission-checked addresses; render it with the copies.
        pages_changed(Change.PROGRESS_PHOTO, project_id=report.work_item.project_id)
    return copied


def progress_photo_withdraw(*, actor: Any, photo: ProgressPhoto, reason: str) -> ProgressPhoto:
    """Take a photo off the public pages (a face, a number plate, a household's door showing).
    The row and its private files stay for the record; the public copies are deleted."""
    photo = ProgressPhoto.objects.select_related("report__work_item__project__neighbourhood__community").get(
        pk=photo.pk
    )
    require_project_manager(actor, photo.report.work_item.project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": _("Say why the photo is withdrawn.")})
    if photo.withdrawn_at is not None:
        raise ValidationError(_("This photo has already been withdrawn."))
    copies = [name for name in (photo.public_image.name, photo.public_thumbnail.name) if name]
    with transaction.atomic():
        photo.withdrawn_at = timezone.now()
        photo.withdrawn_by = actor
        photo.withdrawal_reason = reason
        photo.public_image = ""
        photo.public_thumbnail = ""
        save_recorded(photo, actor=actor, reason="progress_photo_withdraw")
        pages_changed(Change.PROGRESS_PHOTO, project_id=photo.report.work_item.project_id)
        # Deleted only once the withdrawal is committed: a rollback leaves the page whole.
        transaction.on_commit(functools.partial(_delete_public_files, copies))
    return photo


def _delete_public_files(names: Sequence[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _require_pending(report: ProgressReport) -> None:
    if report.status != ProgressReportStatus.PENDING:
        raise ValidationError(
            _("This report has already been reviewed (%(status)s).") % {"status": report.get_status_display()}
        )


def progress_report_confirm(*, actor: Any, report: ProgressReport, note: str = "") -> ProgressReport:
    """Bureau staff confirm a report: the work item takes its percent, the project is re-weighted."""
    if not can_confirm_progress(actor):
        raise PermissionDenied(_("Only housing bureau staff may confirm progress reports."))
    with transaction.atomic():
        # Lock the report so two reviewers cannot both confirm it.
        report = ProgressReport.objects.select_for_update().select_related("work_item__project").get(pk=report.pk)
        _require_pending(report)
        report.status = ProgressReportStatus.CONFIRMED
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.review_note = note
        save_recorded(report, actor=actor, reason="progress_report_confirm")

        item = report.work_item
        item.progress = report.percent
        if item.progress >= HUNDRED:
            item.status = WorkItemStatus.COMPLETED
            item.actual_end = item.actual_end or report.reported_on
        elif item.progress > 0:
            item.status = WorkItemStatus.IN_PROGRESS
            item.actual_end = None
        else:
            item.status = WorkItemStatus.NOT_STARTED
            item.actual_end = None
        if item.progress > 0 and item.actual_start is None:
            item.actual_start = report.reported_on
        if item.actual_start and item.actual_end and item.actual_end < item.actual_start:
            item.actual_start = item.actual_end
        save_recorded(item, actor=actor, reason="progress_report_confirm")

        project = item.project
        if item.actual_start and (project.actual_start is None or item.actual_start < project.actual_start):
            project.actual_start = item.actual_start
            save_recorded(project, actor=actor, reason="progress_report_confirm")
        project_progress_recalculate(project=project, actor=actor, reason="progress_report_confirm")
        pages_changed(Change.PROGRESS, project_id=project.pk)
        # Its photos get public copies once the confirmation is committed; a rollback publishes nothing.
        transaction.on_commit(functools.partial(progress_photos_publish, report_id=report.pk))
        followers_notify_progress(report=report, actor=actor)
    return report


def progress_report_reject(*, actor: Any, report: ProgressReport, reason: str) -> ProgressReport:
    if not can_confirm_progress(actor):
        raise PermissionDenied(_("Only housing bureau staff may review progress reports."))
    if not reason.strip():
        raise ValidationError({"review_note": _("Say why the report is rejected.")})
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        _require_pending(report)
        report.status = ProgressReportStatus.REJECTED
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.review_note = reason.strip()
        return save_recorded(report, actor=actor, reason="progress_report_reject")


def project_public_summary_store(
    *,
    project_id: int,
    generation: int | None,
    version: int,
    build: str,
    content: str,
    changes: str,
    card: str,
    card_signature: str,
    valid_until: Any,
) -> bool:
    """Keep the public page's summary of a project (see ProjectPublicSummary) rendered from what was
    committed when its row stood at ``generation``; a system write made after the commit of the
    change it reflects, so it checks no actor. Written only if no change has bumped the generation
    since (that change's own job writes it): returns whether it was written."""
    if generation is None:
        return False  # deleted meanwhile, or its row not read
    written = ProjectPublicSummary.objects.filter(project_id=project_id, generation=generation).update(
        version=version,
        build=build,
        content=content,
        changes=changes,
        card=card,
        card_signature=card_signature,
        built_generation=generation,
        built_at=timezone.now(),
        valid_until=valid_until,
    )
    return bool(written)


def project_public_summaries_ensure(*, project_ids: Collection[int]) -> None:
    """Give each of these projects a summary row, stale until built (see ProjectPublicSummary), so
    that every later change has a generation to bump. Inserted in the order of the projects' ids,
    so that two of them inserting the same rows wait for each other instead of deadlocking."""
    existing = set(ProjectPublicSummary.objects.filter(project_id__in=project_ids).values_list("project_id", flat=True))
    missing = Project.objects.filter(pk__in=set(project_ids) - existing).order_by("pk").values_list("pk", flat=True)
    ProjectPublicSummary.objects.bulk_create(
        [ProjectPublicSummary(project_id=pk, version=0, valid_until=timezone.now()) for pk in missing],
        ignore_conflicts=True,  # a concurrent job or change made it meanwhile: it is there, as wanted
    )


def project_public_summaries_mark_stale(*, project_ids: Collection[int] | None) -> None:
    """Mark the public page's summary of these projects (None: of every project) stale, right after
    the commit of the change that alters them (cms.summary.rebuilds): from then until its rebuild,
    the page computes live. See ``project_renderings_mark_stale``."""
    project_renderings_mark_stale(ProjectPublicSummary, project_ids=project_ids, ensure=project_public_summaries_ensure)


def project_renderings_mark_stale(
    model: type[Model], *, project_ids: Collection[int] | None, ensure: Callable[..., None]
) -> None:
    """Bump the ``generation`` of the rows of a rendering kept per project (``model``, its primary
    key the project; None: every row), in a short transaction of its own right after the commit
    of the change that made them stale, never inside it: rows marked there stayed locked until the
    change's commit, queueing every other change of the same projects behind it, and two changes
    that named two projects in opposite orders deadlocked. The rows are locked in the order of
    their projects' ids, so two marks of overlapping projects wait for each other instead.

    A job that rendered the rows from what was committed before the change read a generation this
    bumps: whether its conditional write comes before this mark or after, the rows end stale, for
    the job that follows this mark; a job that reads the generation after this mark renders what
    the change committed. A project without
    a row is given one (``ensure``), then every row bumped again: one a job inserted since the
    first UPDATE must not be taken as current."""
    with transaction.atomic():
        rows = model.objects.all() if project_ids is None else model.objects.filter(pk__in=project_ids)
        list(rows.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))  # locked in order
        marked = rows.update(generation=F("generation") + 1)
        if project_ids is not None and marked < len(set(project_ids)):
            ensure(project_ids=set(project_ids))
            rows.update(generation=F("generation") + 1)
