"""Progress photos are private files: the staff who manage the project (its street's office and the
bureau) see them at once; everyone else once the bureau has confirmed the report."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from renovation.accounts.permissions import can_manage_street
from renovation.files.registry import PrivateFileKind, register

from .models import PROGRESS_PHOTO_FILE_KIND, PROGRESS_THUMBNAIL_FILE_KIND, ProgressPhoto


def _photos() -> QuerySet[ProgressPhoto]:
    return ProgressPhoto.objects.select_related("report__work_item__project__neighbourhood__community")


def can_view_progress_photo(user: Any, photo: ProgressPhoto) -> bool:
    project = photo.report.work_item.project
    street_id = project.neighbourhood.community.street_id if project.neighbourhood_id else None
    return can_manage_street(user, street_id)


def register_progress_photos() -> None:
    for kind, field in ((PROGRESS_PHOTO_FILE_KIND, "image"), (PROGRESS_THUMBNAIL_FILE_KIND, "thumbnail")):
        register(
            PrivateFileKind(
                kind=kind,
                queryset=_photos,
                field=field,
                may_read=can_view_progress_photo,
                is_public=lambda photo: photo.is_public,
            )
        )
