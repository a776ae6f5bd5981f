"""Selectors of the public photos of the works (before / during / after).

Only photos of confirmed progress reports, never withdrawn ones, reach the public; each read here
takes a fixed number of queries whatever the number of photos.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from .models import PhotoPhase, ProgressPhoto, ProgressReportStatus, Project

# Newest first: the report's date, then when the bureau confirmed it, then upload order.
_NEWEST_FIRST = (
    F("report__reported_on").desc(),
    F("report__reviewed_at").desc(nulls_last=True),
    F("report_id").desc(),
    F("sort_order").asc(),
    F("pk").asc(),
)


def public_progress_photos(project: Project | int) -> QuerySet[ProgressPhoto]:
    """Every public photo of the project's works, newest first, with what its alt text reads."""
    project_id = project if isinstance(project, int) else project.pk
    return (
        ProgressPhoto.objects.filter(
            report__work_item__project_id=project_id,
            report__status=ProgressReportStatus.CONFIRMED,
            withdrawn_at__isnull=True,
        )
        .select_related("report__work_item")
        .order_by(*_NEWEST_FIRST)
    )


@dataclass(frozen=True)
class GalleryPhase:
    phase: str
    label: str
    photos: list[ProgressPhoto]
    total: int

    @property
    def more(self) -> int:
        """How many photos of this phase the gallery leaves to the full list."""
        return self.total - len(self.photos)


@dataclass(frozen=True)
class Gallery:
    phases: list[GalleryPhase]  # before, during, after; a phase without photos is left out
    total: int

    @property
    def more(self) -> bool:
        return any(phase.more for phase in self.phases)


def project_photo_gallery(project: Project | int, *, per_phase: int | None = None) -> Gallery:
    """The newest ``per_phase`` photos of each phase and each phase's total, in one query."""
    per_phase = per_phase or settings.PROJECT_GALLERY_PHOTOS_PER_PHASE
    # Both windows are computed over every public photo before the rank filter (Django wraps the
    # query), so phase_total counts the photos the gallery leaves out too.
    rows = (
        public_progress_photos(project)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("phase")], order_by=list(_NEWEST_FIRST)),
            phase_total=Window(Count("pk"), partition_by=[F("phase")]),
        )
        .filter(rank__lte=per_phase)
        .order_by("rank")
    )
    by_phase: dict[str, list[ProgressPhoto]] = {}
    for photo in rows:
        by_phase.setdefault(photo.phase, []).append(photo)
    phases = [
        GalleryPhase(phase=phase.value, label=str(phase.label), photos=photos, total=photos[0].phase_total)
        for phase in PhotoPhase
        if (photos := by_phase.get(phase.value))
    ]
    return Gallery(phases=phases, total=sum(phase.total for phase in phases))


def project_latest_photo(project: Project | int) -> ProgressPhoto | None:
    """The newest public photo of the works (for a project's first screen), or None; one query."""
    return public_progress_photos(project).first()
