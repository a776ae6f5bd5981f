"""Writes of the open-data texts kept per project (ProjectOpenData): system writes the task queue
makes, and the marks made right after a change's commit, so they check no actor."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.utils import timezone

from renovation.projects.models import Project
from renovation.projects.services import project_renderings_mark_stale

from .models import ProjectOpenData


def project_open_data_store(
    *,
    project_id: int,
    generation: int | None,
    build: str,
    oc4ids: str,
    api: str,
    feed: str,
    csv: dict[str, str],
    signatures: dict[str, str],
    valid_until: datetime,
) -> bool:
    """Keep a project's open-data texts encoded from what was committed when its row stood at
    ``generation``; written only if no change has bumped the generation since (that change's own
    job writes it). Returns whether it was written."""
    if generation is None:
        return False  # deleted meanwhile, or its row not read
    written = ProjectOpenData.objects.filter(project_id=project_id, generation=generation).update(
        build=build,
        oc4ids=oc4ids,
        api=api,
        feed=feed,
        csv=csv,
        signatures=signatures,
        built_generation=generation,
        built_at=timezone.now(),
        valid_until=valid_until,
    )
    return bool(written)


def project_open_data_ensure(*, project_ids: Collection[int]) -> None:
    """Give each of these projects a row, stale until built, so every later change has a
    generation to bump. Inserted in the order of the projects' ids, so that two of them inserting
    the same rows wait for each other instead of deadlocking."""
    existing = set(ProjectOpenData.objects.filter(project_id__in=project_ids).values_list("project_id", flat=True))
    missing = Project.objects.filter(pk__in=set(project_ids) - existing).order_by("pk").values_list("pk", flat=True)
    ProjectOpenData.objects.bulk_create(
        [ProjectOpenData(project_id=pk, valid_until=timezone.now()) for pk in missing],
        ignore_conflicts=True,  # a concurrent job or change made it meanwhile: it is there, as wanted
    )


def project_open_data_mark_stale(*, project_ids: Collection[int] | None) -> None:
    """Mark the open-data texts of these projects (None: of every project) stale, right after the
    commit of the change that alters them (opendata.stored.rebuilds): from then until their
    rebuild, the endpoints encode them live. See ``project_renderings_mark_stale``."""
    project_renderings_mark_stale(ProjectOpenData, project_ids=project_ids, ensure=project_open_data_ensure)
