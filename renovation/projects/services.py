"""Domain operations on projects, work items and progress reports.

Every function checks the actor's permission, validates, writes in one transaction and leaves a
history row naming the actor and the operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from renovation.accounts.permissions import can_confirm_progress, can_manage_street
from renovation.changelog.records import apply_changes, save_recorded
from renovation.public.cache import Change, pages_changed
from renovation.realtime.events import project_group, publish
from renovation.realtime.messages import project_status_message

from .lifecycle import status_change_check
from .models import (
    HUNDRED,
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
) -> ProgressReport:
    """Record how far a work item has come; it counts once bureau staff confirm it."""
    require_project_manager(actor, work_item.project)
    report = ProgressReport(
        work_item=work_item,
        percent=percent,
        note=note,
        reported_on=reported_on or timezone.localdate(),
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if report.reported_on and report.reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("A progress report cannot be dated in the future.")})
    with transaction.atomic():
        return save_recorded(report, actor=actor, reason="progress_report_submit")


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


def project_public_summary_store(*, project_id: int, version: int, content: bytes, valid_until: Any) -> None:
    """Keep the public page's summary of a project (see ProjectPublicSummary); a system write made
    after the commit of the change it reflects, so it checks no actor."""
    if not Project.objects.filter(pk=project_id).exists():
        return  # deleted meanwhile
    ProjectPublicSummary.objects.update_or_create(
        project_id=project_id,
        defaults={"version": version, "content": content, "built_at": timezone.now(), "valid_until": valid_until},
    )
