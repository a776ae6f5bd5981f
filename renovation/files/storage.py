"""The two places uploads live: public files (anyone may fetch them at a permanent URL) and private
files (handed out only by renovation.files.views after a permission check).

``STORAGES["default"]`` is the public storage (Wagtail images and renditions, Wagtail documents,
deliberation attachments); ``STORAGES["private"]`` holds everything else. Models name the private
one with ``storage=private_storage`` (a callable, so migrations do not depend on the settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models

PRIVATE = "private"


def private_storage() -> Storage:
    return storages[PRIVATE]


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files on disk, in a folder no web server serves at a public path.

    A private file has no URL of its own: asking for one is a bug (a template or export about to
    publish a permanent link), so it raises instead of returning a /media/ address that would 404
    today and leak tomorrow if someone "fixes" nginx.
    """

    def url(self, name: str | None) -> str:
        raise ValueError(
            f"Private file {name!r} has no public URL; link to its permission-checked view "
            "(renovation.files.registry.file_url) instead."
        )


def is_object_storage(storage: Any) -> bool:
    """True for S3-compatible storage (django-storages): it hands out signed URLs itself."""
    return not isinstance(storage, FileSystemStorage)


@contextmanager
def deleted_if_rolled_back(instance: models.Model, field_name: str) -> Iterator[None]:
    """Wrap the transaction (``with deleted_if_rolled_back(record, "workbook"), transaction.atomic():``)
    in which a file is saved to storage before its row: storage is no part of the transaction, so
    when the block fails (validation, the job's row, the commit itself) the file it saved is deleted
    instead of staying behind with no row naming it. Open it outermost: a transaction around the
    caller's that rolls back later is not seen (services open their own; requests are not atomic)."""
    try:
        yield
    except BaseException:
        stored = getattr(instance, field_name)
        if stored:
            stored.storage.delete(stored.name)
        raise
