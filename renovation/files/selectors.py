"""The permission check in front of every private file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.fields.files import FieldFile

from . import registry


@dataclass(frozen=True)
class ReadableFile:
    file: FieldFile
    public: bool
    download_name: str | None


def readable_file(user: Any, kind_name: str, pk: int) -> ReadableFile | None:
    """The file of ``kind_name`` row ``pk`` if ``user`` may read it, else None: a missing row, an
    empty field and a refusal look the same, so nobody learns what exists."""
    entry = registry.kind(kind_name)
    if entry is None:
        return None
    row = entry.queryset().filter(pk=pk).first()
    if row is None:
        return None
    field_file = getattr(row, entry.field)
    if not field_file:
        return None
    public = entry.is_public(row)
    if not public and not entry.may_read(user, row):
        return None
    name = entry.download_name(row) if entry.download_name else None
    return ReadableFile(field_file, public, name)
