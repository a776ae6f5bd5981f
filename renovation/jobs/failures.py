"""A job over a workbook of personal data failed: what reaches the log and the job's error.

An exception's message may quote what the code held (openpyxl and Django quote cell values), and
the household register holds names, phone numbers and addresses. The log line keeps the frames
(file, line, code) and the exception's class, never its message; the job fails with an error that
names only the class, so the Background jobs screen and the stored traceback carry no cell either.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

INTERRUPTED = _(
    "The import stopped unexpectedly; nothing was changed. Upload the workbook again, "
    "or ask housing bureau staff to retry it under Background jobs."
)


class ImportStopped(Exception):
    """An import job stopped on an unexpected error; its message names the import and the error class."""


def import_stopped(logger: logging.Logger, what: str, pk: int, error: BaseException) -> ImportStopped:
    """Log ``error`` without its message and return the exception the job should fail with."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    name = type(error).__qualname__
    logger.error("%s %s stopped with %s (message withheld: it may quote a cell)\n%s", what, pk, name, frames)
    return ImportStopped(f"{what} {pk} stopped with {name}")


def record_failed(record: Any, save: Callable[..., Any]) -> bool:
    """Mark an import record interrupted (``save(record, status=..., errors=...)``, which answers
    False when another run of the job gave the record its answer meanwhile: then this returns
    False and the answer stands); if even that fails (the database is gone), the job's own failure
    is what staff see."""
    try:
        return save(record, status="failed", errors=[{"message": str(INTERRUPTED)}]) is not False
    except Exception as error:
        logger.error("import record %s: could not record the failure (%s)", record.pk, type(error).__qualname__)
        return True


def import_record_save(record: Any, reason: str, **fields: Any) -> None:
    """Save an import record's new state (``updated_at`` included) with a history row naming its
    uploader and the import (``reason``)."""
    fields["updated_at"] = timezone.now()
    for name, value in fields.items():
        setattr(record, name, value)
    record._history_user = record.uploaded_by
    record._change_reason = reason
    record.save(update_fields=list(fields))


def import_record_settle(record: Any, settled: tuple[Any, ...], reason: str, **fields: Any) -> bool:
    """Save the record's new state unless another run of the job gave it an answer (a status in
    ``settled``) meanwhile, read under the record's lock: a run that read the record before that
    must not overwrite "done". False when the other run's answer stands."""
    with transaction.atomic():
        current = type(record).objects.select_for_update().values_list("status", flat=True).get(pk=record.pk)
        if current in settled:
            return False
        import_record_save(record, reason, **fields)
    return True
