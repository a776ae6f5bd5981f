"""How long the files of a workbook import are kept, and their removal (the clock's daily job).

An import keeps its upload (and, when it was refused, a copy with the problems marked) in private
storage. The household register holds residents' names, phone numbers and addresses and a bank
statement names payees, so once an import has its answer (done, refused, or interrupted: the queue
gave up on its job) the files go IMPORT_FILES_KEEP_DAYS after its last activity. The import's record
stays, with its counts and its list of problems (which name rows, columns and rules, never a cell's
value); ``files_deleted_at`` says when the files went, so its page says so instead of offering them.

An import whose job is waiting or running (queued, running, or sent back to the queue by staff
under Background jobs) is never touched, however old: its job still needs the upload.

A process killed between writing a file and committing the row that names it (an upload's
transaction, a job's marked-up copy) leaves a file no row knows: the same clock job deletes files
in the imports' folders that no row names once they are ORPHAN_GRACE old, far longer than any
upload's transaction or any job's run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

REASON = "import_files_expired"
FILE_FIELDS = ("workbook", "annotated")
# A file younger than this may belong to a transaction still open: never an orphan yet.
ORPHAN_GRACE = timedelta(days=1)


def file_deleted_message() -> str:
    """What a job retried after its import's upload was deleted answers (the import is refused)."""
    return _("The uploaded workbook was deleted %(days)s days after the import ended; upload it again.") % {
        "days": settings.IMPORT_FILES_KEEP_DAYS
    }


def _import_ids(jobs: Iterable[DBTaskResult]) -> set[int]:
    """The import ids the jobs were queued with (``task.enqueue(import_id=...)``)."""
    ids = set()
    for job in jobs:
        value = (job.args_kwargs or {}).get("kwargs", {}).get("import_id")
        if isinstance(value, int):
            ids.add(value)
    return ids


def import_files_expire(
    *, model: type[models.Model], task_path: str, answered: Iterable[str], now: datetime | None = None
) -> int:
    """Delete the stored files of ``model``'s imports that have an answer (a status in ``answered``,
    or a job of ``task_path`` the queue failed) and saw no activity for IMPORT_FILES_KEEP_DAYS;
    clear their file fields with a history entry naming the reason. Returns how many imports lost
    their files. Safe to run again at any time: a file already gone is skipped, a field already
    empty is not selected."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_FILES_KEEP_DAYS)
    jobs = DBTaskResult.objects.filter(task_path=task_path).only("id", "args_kwargs")
    waiting = _import_ids(jobs.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]))
    given_up = _import_ids(jobs.filter(status=TaskResultStatus.FAILED))
    candidates = (
        model.objects.filter(Q(status__in=list(answered)) | Q(pk__in=given_up), updated_at__lt=cutoff)
        .exclude(pk__in=waiting)
        .exclude(workbook="", annotated="")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(candidates):
        with transaction.atomic():
            # Read again under the record's lock: a run of its job that started since is left alone.
            record = model.objects.select_for_update().filter(pk=pk, updated_at__lt=cutoff).first()
            if record is None:
                continue
            for name in FILE_FIELDS:
                stored = getattr(record, name)
                if stored:
                    # The file first: if clearing the row fails, the next run finds the row again
                    # (deleting a missing file is no error); the other order could lose the name.
                    stored.storage.delete(stored.name)
                    setattr(record, name, "")
            record.files_deleted_at = now
            record._change_reason = REASON  # history: who is the clock (no user), why, no content
            record.save(update_fields=[*FILE_FIELDS, "files_deleted_at"])
        expired += 1
    if expired:
        logger.info("%s: deleted the files of %s imports", model._meta.label, expired)
    import_orphans_delete(model=model, now=now)
    return expired


def _folders(model: type[models.Model]) -> set[str]:
    """The fixed folder each file field of the import uploads to ("plan-imports/%Y/%m/" → "plan-imports")."""
    return {str(model._meta.get_field(name).upload_to).split("%", 1)[0].strip("/") for name in FILE_FIELDS}


def _walk(storage: Any, folder: str) -> Iterator[str]:
    """Every file name under ``folder`` (on disk or in an object store alike)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing uploaded yet
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from _walk(storage, f"{folder}/{name}")


def import_orphans_delete(*, model: type[models.Model], now: datetime | None = None) -> int:
    """Delete the files in ``model``'s upload folders that no row of it names and that are older
    than ORPHAN_GRACE; returns how many. The rows' names are read after the listing, so a file
    whose row commits meanwhile is found named and kept."""
    now = now or timezone.now()
    storage = model._meta.get_field(FILE_FIELDS[0]).storage
    found = [name for folder in sorted(_folders(model)) for name in _walk(storage, folder)]
    if not found:
        return 0
    named = set()
    for row in model.objects.values_list(*FILE_FIELDS):
        named.update(value for value in row if value)
    deleted = 0
    for name in found:
        if name in named:
            continue
        try:
            if storage.get_modified_time(name) > now - ORPHAN_GRACE:
                continue
            storage.delete(name)
        except FileNotFoundError:  # deleted meanwhile
            continue
        deleted += 1
    if deleted:
        # Names only count: a file name holds no personal data, but the log need not either.
        logger.info("%s: deleted %s files no import names", model._meta.label, deleted)
    return deleted
