"""Which kinds of private file exist, and who may read each.

Each domain app registers its kinds in ``AppConfig.ready()`` (as lifecycle gates are registered), so
this platform module never imports a domain app. A kind names the model, the file field and the
permission; ``renovation.files.views.serve`` answers ``/files/<kind>/<pk>/`` from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse


@dataclass(frozen=True)
class PrivateFileKind:
    kind: str  # the URL segment, e.g. "bidder-document"
    queryset: Callable[[], QuerySet]  # rows of this kind, with what the permission check reads
    field: str  # the FileField holding the file
    may_read: Callable[[Any, Model], bool]  # the app's own permission helper
    # Anyone may read it (an accepted site issue's photos): still served through the view, so a
    # later change of heart needs no URL to be revoked.
    is_public: Callable[[Model], bool] = lambda row: False
    # Sent as a download under this name; None shows it inline (photos).
    download_name: Callable[[Model], str] | None = None


_KINDS: dict[str, PrivateFileKind] = {}


def register(entry: PrivateFileKind) -> None:
    known = _KINDS.get(entry.kind)
    if known is not None and (known.field, known.queryset.__qualname__) != (entry.field, entry.queryset.__qualname__):
        raise ValueError(f"Private file kind {entry.kind!r} is registered twice for different files.")
    _KINDS[entry.kind] = entry


def kind(name: str) -> PrivateFileKind | None:
    return _KINDS.get(name)


def kinds() -> list[PrivateFileKind]:
    return list(_KINDS.values())


def file_url(kind_name: str, pk: int) -> str:
    """The one address a template, export or API gives for a private file."""
    return reverse("files:serve", args=[kind_name, pk])
