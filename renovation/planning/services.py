"""Importing the annual plan: validate everything, then write everything in one transaction
with history (django-simple-history's bulk helpers: a fixed number of queries, not one per row).

Re-importing the same workbook changes nothing; a changed row updates its project or work item.
The import runs as a background job (renovation/planning/tasks.py) on the worker, never in a web
process; a worker that dies half-way leaves nothing written, and the job runs again on another.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from wagtail import hooks

from renovation.accounts.permissions import is_bureau
from renovation.files.storage import deleted_if_rolled_back
from renovation.jobs.failures import import_record_save
from renovation.jobs.queue import enqueue_on_commit
from renovation.jobs.retention import file_deleted_message, import_files_expire
from renovation.places.models import Community, ManagementType, Neighbourhood
from renovation.projects.models import ZERO, Project, ProjectStatus, WorkItem
from renovation.projects.progress import weighted_progress
from renovation.public.cache import Change, pages_changed
from renovation.spreadsheets.annotate import annotated_copy
from renovation.spreadsheets.files import check_workbook_file

from .models import PlanImport
from .reading import Plan, read_plan

logger = logging.getLogger(__name__)

PROJECT_IMPORT_FIELDS = (
    "plan_year",
    "budget_central",
    "budget_provincial",
    "budget_city",
    "budget_resident",
    "budget_other",
    "planned_start",
    "planned_end",
)
WORK_ITEM_IMPORT_FIELDS = ("quantity", "unit", "budget")
REASON = "plan_import"
# An import that ended with an answer; an interrupted (failed) one may run again.
SETTLED = (PlanImport.Status.DONE, PlanImport.Status.REJECTED)


def plan_import_start(*, actor: Any, upload: UploadedFile) -> PlanImport:
    """Check the file, keep it, and queue its import (the job commits with the record)."""
    from .tasks import plan_import

    if not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff may import the annual plan."))
    check_workbook_file(upload, name=upload.name, size=upload.size, purpose=pgettext("workbook import", "annual plan"))
    record = PlanImport(uploaded_by=actor, original_name=upload.name[:255])
    record._history_user, record._change_reason = actor, REASON
    with deleted_if_rolled_back(record, "workbook"), transaction.atomic():
        record.workbook.save(f"plan-{timezone.now():%Y%m%d-%H%M%S}.xlsx", upload, save=False)
        record.save()
        enqueue_on_commit(plan_import, import_id=record.pk)
    return record


def _touch(record: PlanImport, **fields: Any) -> None:
    """The import's new state, saved with a history row naming its uploader and the import."""
    import_record_save(record, REASON, **fields)


def _progress(record: PlanImport, rows_done: int) -> None:
    """How far the reading got: shown on the status page, kept out of the history."""
    record.rows_done, record.updated_at = rows_done, timezone.now()
    PlanImport.objects.filter(pk=record.pk).update(rows_done=rows_done, updated_at=record.updated_at)


def plan_import_run(*, import_id: int) -> PlanImport:
    """Check and import one uploaded plan. Safe to run again (a worker died half-way, a job ran
    twice): the writes, the public pages and the record's "done" are one transaction, which first
    locks the record and stops if another run finished it."""
    record = PlanImport.objects.select_related("uploaded_by").get(pk=import_id)
    if record.status in SETTLED:
        return record
    try:
        _touch(record, status=PlanImport.Status.VALIDATING, rows_done=0, errors=[])
        if not record.workbook:  # deleted after IMPORT_FILES_KEEP_DAYS: a job retried that late has nothing to read
            raise ValidationError(file_deleted_message(), code="file_deleted")
        known = Project.objects.values_list("code", flat=True)
        with record.workbook.open("rb") as handle:
            plan = read_plan(handle, known_project_codes=known, progress=lambda n: _progress(record, n))
        _touch(record, rows_total=plan.rows, rows_done=0)
        if plan.problems:
            problems = [problem.as_dict() for problem in plan.problems]
            with record.workbook.open("rb") as handle:
                marked = annotated_copy(handle, plan.problems, author=_("Plan import"))
            record.annotated.save(f"errors-{record.pk}.xlsx", ContentFile(marked), save=False)
            _touch(record, status=PlanImport.Status.REJECTED, errors=problems, annotated=record.annotated)
            return record
        _touch(record, status=PlanImport.Status.IMPORTING)
        with transaction.atomic():
            claimed = PlanImport.objects.select_for_update().get(pk=record.pk)
            if claimed.status in SETTLED:  # another run got there first
                return claimed
            summary = plan_apply(actor=record.uploaded_by, plan=plan)
            # The public site listens (cms gives new projects their pages), inside the transaction:
            # the projects and their pages exist together or not at all.
            for hook in hooks.get_hooks("after_plan_import"):
                hook(record)
            _touch(record, status=PlanImport.Status.DONE, rows_done=plan.rows, summary=summary)
    except ValidationError as error:
        # E.g. a project code that belongs to another neighbourhood: found only while matching.
        _touch(record, status=PlanImport.Status.REJECTED, errors=[{"message": m} for m in error.messages])
    except Exception:
        logger.exception("plan import %s failed", import_id)
        _touch(
            record,
            status=PlanImport.Status.FAILED,
            errors=[{"message": _("The import stopped unexpectedly; nothing was changed. Please try again.")}],
        )
        raise  # the job fails too: staff see it under Background jobs and may retry it
    return record


def plan_import_files_expire(*, now: datetime | None = None) -> int:
    """Delete the files of plan imports answered more than IMPORT_FILES_KEEP_DAYS ago (the clock's
    job; renovation/jobs/retention.py). Returns how many imports lost their files."""
    return import_files_expire(
        model=PlanImport,
        task_path="renovation.planning.tasks.plan_import",
        answered=(*SETTLED, PlanImport.Status.FAILED),
        now=now,
    )


def plan_apply(*, actor: Any, plan: Plan) -> dict[str, int]:
    """Write a checked plan. All or nothing; history rows name the actor and the import."""
    if not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff may import the annual plan."))
    with transaction.atomic():
        neighbourhoods, created_places = _places(actor, plan)
        projects_by_code, project_counts = _projects(actor, plan, neighbourhoods)
        item_counts, touched = _work_items(actor, plan, projects_by_code)
        _reweigh(actor, touched)
        pages_changed(Change.PLAN)
    return {**created_places, **project_counts, **item_counts}


def _places(actor: Any, plan: Plan) -> tuple[dict[tuple, Neighbourhood], dict[str, int]]:
    street_ids = {record["street"].pk for record in plan.projects}
    communities = {(c.street_id, c.name): c for c in Community.objects.filter(street_id__in=street_ids)}
    new_communities = []
    for record in plan.projects:
        key = (record["street"].pk, record["community"])
        if key not in communities:
            communities[key] = Community(street=record["street"], name=record["community"])
            new_communities.append(communities[key])
    if new_communities:
        bulk_create_with_history(new_communities, Community, default_user=actor, default_change_reason=REASON)
        communities.update({(c.street_id, c.name): c for c in Community.objects.filter(street_id__in=street_ids)})
    community_ids = {c.pk for c in communities.values()}
    neighbourhoods = {(n.community_id, n.name): n for n in Neighbourhood.objects.filter(community_id__in=community_ids)}
    new_neighbourhoods = []
    for record in plan.projects:
        community = communities[(record["street"].pk, record["community"])]
        key = (community.pk, record["neighbourhood"])
        if key not in neighbourhoods:
            neighbourhoods[key] = Neighbourhood(
                community=community,
                name=record["neighbourhood"],
                built_year=record["built_year"],
                household_count=record["household_count"],
                management_type=ManagementType.COMMUNITY,
                # Only estates the plan creates take the sheet's position; staff move an existing
                # estate in the admin (Places → Neighbourhoods), where its history shows who did.
                latitude=record["latitude"],
                longitude=record["longitude"],
            )
            new_neighbourhoods.append(neighbourhoods[key])
    if new_neighbourhoods:
        bulk_create_with_history(new_neighbourhoods, Neighbourhood, default_user=actor, default_change_reason=REASON)
        neighbourhoods.update(
            {(n.community_id, n.name): n for n in Neighbourhood.objects.filter(community_id__in=community_ids)}
        )
    by_record = {}
    for record in plan.projects:
        community = communities[(record["street"].pk, record["community"])]
        by_record[record["code"]] = neighbourhoods[(community.pk, record["neighbourhood"])]
    return by_record, {"communities_created": len(new_communities), "neighbourhoods_created": len(new_neighbourhoods)}


def _projects(actor: Any, plan: Plan, neighbourhoods: dict[str, Neighbourhood]) -> tuple[dict[str, Project], dict]:
    codes = [record["code"] for record in plan.projects]
    existing = {p.code: p for p in Project.objects.filter(code__in=codes)}
    taken_slugs = set(Project.objects.values_list("slug", flat=True))
    new, changed = [], []
    for record in plan.projects:
        neighbourhood = neighbourhoods[record["code"]]
        values = {name: record[name] if record[name] is not None else _default(name) for name in PROJECT_IMPORT_FIELDS}
        project = existing.get(record["code"])
        if project is None:
            slug = _free_slug(slugify(f"{values['plan_year']}-{neighbourhood.name}", allow_unicode=True), taken_slugs)
            project = Project(
                code=record["code"],
                neighbourhood=neighbourhood,
                slug=slug,
                name=_("Renovation of %(neighbourhood)s") % {"neighbourhood": neighbourhood.name},
                status=ProjectStatus.PROPOSED,
                **values,
            )
            new.append(project)
            existing[project.code] = project
            continue
        if project.neighbourhood_id != neighbourhood.pk:
            raise ValidationError(
                _("Project %(code)s (sheet “项目”, row %(row)s) belongs to another neighbourhood in the system.")
                % {"code": project.code, "row": record["_row"]}
            )
        if any(getattr(project, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(project, name, value)
            changed.append(project)
    _validate_dates(new + changed)
    if new:
        bulk_create_with_history(new, Project, default_user=actor, default_change_reason=REASON)
    if changed:
        bulk_update_with_history(
            changed, Project, list(PROJECT_IMPORT_FIELDS), default_user=actor, default_change_reason=REASON
        )
    everything = {p.code: p for p in Project.objects.filter(code__in=set(codes) | _item_codes(plan))}
    return everything, {"projects_created": len(new), "projects_updated": len(changed)}


def _item_codes(plan: Plan) -> set[str]:
    return {record["project_code"] for record in plan.work_items}


def _work_items(actor: Any, plan: Plan, projects: dict[str, Project]) -> tuple[dict[str, int], set[int]]:
    project_ids = {projects[code].pk for code in _item_codes(plan)}
    existing = {
        (item.project_id, item.category, item.description): item
        for item in WorkItem.objects.filter(project_id__in=project_ids)
    }
    new, changed, touched = [], [], set()
    for order, record in enumerate(plan.work_items):
        project = projects[record["project_code"]]
        values = {name: record[name] for name in WORK_ITEM_IMPORT_FIELDS}
        values["unit"] = values["unit"] or ""
        values["budget"] = values["budget"] if values["budget"] is not None else ZERO
        key = (project.pk, record["category"], record["description"])
        item = existing.get(key)
        if item is None:
            new.append(
                WorkItem(
                    project=project,
                    category=record["category"],
                    description=record["description"],
                    sort_order=order,
                    **values,
                )
            )
            touched.add(project.pk)
        elif any(getattr(item, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(item, name, value)
            changed.append(item)
            touched.add(project.pk)
    if new:
        bulk_create_with_history(new, WorkItem, default_user=actor, default_change_reason=REASON)
    if changed:
        bulk_update_with_history(
            changed, WorkItem, list(WORK_ITEM_IMPORT_FIELDS), default_user=actor, default_change_reason=REASON
        )
    return {"work_items_created": len(new), "work_items_updated": len(changed)}, touched


def _reweigh(actor: Any, project_ids: set[int]) -> None:
    """New or re-budgeted items change the budget weights: recompute those projects' progress
    from one query, as projects.services.project_progress_recalculate does for one project."""
    if not project_ids:
        return
    items: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for project_id, budget, progress in WorkItem.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "budget", "progress"
    ):
        items[project_id].append((budget, progress))
    changed = []
    for project in Project.objects.filter(pk__in=project_ids):
        value = weighted_progress(items.get(project.pk, []))
        if value != project.progress:
            project.progress = value
            changed.append(project)
    if changed:
        bulk_update_with_history(changed, Project, ["progress"], default_user=actor, default_change_reason=REASON)


def _default(name: str) -> Any:
    return ZERO if name.startswith("budget_") else None


def _free_slug(base: str, taken: set[str]) -> str:
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def _validate_dates(projects: list[Project]) -> None:
    for project in projects:
        if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
            raise ValidationError(_("Project %(code)s ends before it starts.") % {"code": project.code})
