"""Writes of the open-data texts kept per project (ProjectOpenData): system writes the task queue
and the changes' own transactions make, so they check no actor."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from renovation.projects.models import Project

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


def project_open_data_ensure(*, project_ids: set[int]) -> None:
    """Give each of these projects a row, stale until built, so every later change has a
    generation to bump."""
    existing = set(ProjectOpenData.objects.filter(project_id__in=project_ids).values_list("project_id", flat=True))
    missing = Project.objects.filter(pk__in=project_ids - existing).values_list("pk", flat=True)
    ProjectOpenData.objects.bulk_create(
        [ProjectOpenData(project_id=pk, valid_until=timezone.now()) for pk in missing],
        ignore_conflicts=True,  # a concurrent job or change made it meanwhile: it is there, as wanted
    )


def project_open_data_mark_stale(*, project_ids: set[int] | None) -> None:
    """Mark the open-data texts of these projects (None: of every project) stale, inside the
    transaction of the change that alters them: from its commit until their rebuild, the endpoints
    encode them live."""
    if project_ids is None:
        ProjectOpenData.objects.update(generation=F("generation") + 1)
        return
    stale = ProjectOpenData.objects.filter(project_id__in=project_ids)
    if stale.update(generation=F("generation") + 1) < len(project_ids):
        project_open_data_ensure(project_ids=set(project_ids))
        # Bumped again: a row a job inserted since the first UPDATE must not be taken as current.
        stale.update(generation=F("generation") + 1)
