"""Site-issue photos are private files: the reporter, the builder and the responsible staff see
them at once; everyone else once staff have accepted the issue (it is then on the project page)."""

from __future__ import annotations

from django.db.models import QuerySet

from renovation.files.registry import PrivateFileKind, register

from .models import PHOTO_FILE_KIND, THUMBNAIL_FILE_KIND, SiteIssuePhoto
from .permissions import can_view_issue


def _photos() -> QuerySet[SiteIssuePhoto]:
    return SiteIssuePhoto.objects.select_related("issue__project__neighbourhood__community", "issue__reporter")


def register_site_issue_photos() -> None:
    for kind, field in ((PHOTO_FILE_KIND, "image"), (THUMBNAIL_FILE_KIND, "thumbnail")):
        register(
            PrivateFileKind(
                kind=kind,
                queryset=_photos,
                field=field,
                may_read=lambda user, photo: can_view_issue(user, photo.issue),
                is_public=lambda photo: photo.issue.is_public,
            )
        )
