"""Importing the bank agent's statement for one project, as a background job.

``ledger_statement_import_start`` (the request) checks the file cheaply, keeps it privately and
queues the job; ``ledger_statement_import_run`` (the worker, renovation/finance/tasks.py) checks
every row and writes all entries or none. The run holds the project's lock from reading the
ledger's references to writing, so no entry recorded meanwhile slips past the checks; the entries
and the record's "done" are one transaction, so a worker killed half-way leaves nothing and the job
runs again on another worker, and a job run twice imports once.
"""

from __future__ import annotations

import io
import logging
import secrets
import zipfile
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history

from renovation.accounts.permissions import is_staff_member
from renovation.files.storage import deleted_if_rolled_back
from renovation.jobs.failures import import_record_save, import_record_settle, import_stopped, record_failed
from renovation.jobs.queue import enqueue_on_commit
from renovation.jobs.retention import file_deleted_message, import_files_expire
from renovation.projects.models import Project
from renovation.projects.services import require_project_manager
from renovation.public.cache import Change, pages_changed
from renovation.spreadsheets.annotate import annotated_copy
from renovation.spreadsheets.files import check_workbook_file
from renovation.tendering.models import Contract

from .models import LedgerEntry, StatementImport
from .selectors import contract_positions, locked_until
from .statement import Statement, read_statement

logger = logging.getLogger(__name__)

# What openpyxl raises on a zip that passed the file checks but is no workbook it can read.
UNREADABLE = (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, InvalidFileException)
# An import that ended with an answer; an interrupted (failed) one may run again.
SETTLED = (StatementImport.Status.DONE, StatementImport.Status.REJECTED)
REASON = "ledger_statement_import"


def ledger_statement_import_start(*, actor: Any, project: Project, upload: Any) -> StatementImport:
    """Check the file (a real workbook of acceptable size), keep it, and queue its import (the job
    row commits with the record)."""
    from .tasks import ledger_statement_import

    require_project_manager(actor, project)
    name = getattr(upload, "name", "statement.xlsx")
    check_workbook_file(upload, name=name, size=upload.size, purpose=pgettext("workbook import", "bank statement"))
    record = StatementImport(project=project, uploaded_by=actor, original_name=name[:255])
    with deleted_if_rolled_back(record, "workbook"), transaction.atomic():
        record.workbook.save(f"statement-{secrets.token_urlsafe(16)}.xlsx", upload, save=False)
        record._history_user = actor
        record._change_reason = REASON
        record.save()
        job = enqueue_on_commit(ledger_statement_import, import_id=record.pk)
        if job is not None:
            StatementImport.objects.filter(pk=record.pk).update(job_id=job.id)
            record.job_id = job.id
    return record


def ledger_statement_import_visible(*, actor: Any, import_id: int) -> StatementImport:
    """One statement import for its status page: whoever manages the project's street (the bureau,
    that street's staff); another street's staff are refused, anyone else too."""
    if not is_staff_member(actor):
        raise PermissionDenied(_("The ledger is kept by housing bureau and street office staff."))
    record = (
        StatementImport.objects.select_related("project__neighbourhood__community__street", "uploaded_by")
        .filter(pk=import_id)
        .first()
    )
    if record is None:
        raise Http404
    require_project_manager(actor, record.project)
    return record


def _import_save(record: StatementImport, **fields: Any) -> None:
    import_record_save(record, REASON, **fields)


def _settle(record: StatementImport, **fields: Any) -> bool:
    return import_record_settle(record, SETTLED, REASON, **fields)


def _forget_upload(record: StatementImport) -> None:
    """Once the import has an answer the upload goes (the marked-up copy of a refused one stays)."""
    if record.workbook:
        record.workbook.storage.delete(record.workbook.name)
        StatementImport.objects.filter(pk=record.pk).update(workbook="")
        record.workbook = ""


def _statement_context(project: Project) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project's contracts by number (id, position) and its recorded bank references."""
    positions = contract_positions(Contract.objects.filter(project=project))
    by_number = {position.number: (pk, position) for pk, position in positions.items()}
    recorded = LedgerEntry.objects.filter(project=project).exclude(bank_reference="")
    known = {
        reference: (kind, amount, booked_on)
        for reference, kind, amount, booked_on in recorded.values_list("bank_reference", "kind", "amount", "booked_on")
    }
    return by_number, known


def _read(record: StatementImport, content: bytes, project: Project) -> tuple[Statement, dict[str, Any]]:
    by_number, known = _statement_context(project)
    try:
        statement = read_statement(
            io.BytesIO(content),
            positions_by_number=by_number,
            known_references=known,
            locked_until=locked_until(project),
        )
    except UNREADABLE as error:
        message = _("“%(name)s” could not be read as a workbook.") % {"name": record.original_name}
        raise ValidationError(message, code="unreadable") from error
    return statement, by_number


def _reject(record: StatementImport, statement: Statement, content: bytes) -> None:
    try:
        marked = annotated_copy(io.BytesIO(content), statement.problems, author=_("Bank statement import"))
    except UNREADABLE:
        marked = None  # the problems are still listed on the page
    if marked is not None:
        record.annotated.save(f"errors-{secrets.token_urlsafe(16)}.xlsx", ContentFile(marked), save=False)
    _import_save(
        record,
        status=StatementImport.Status.REJECTED,
        errors=[problem.as_dict() for problem in statement.problems],
        already_recorded=[list(pair) for pair in statement.already_recorded],
        annotated=record.annotated.name or "",
    )


def _write(record: StatementImport, project: Project, statement: Statement, by_number: dict[str, Any]) -> int:
    from .services import IMPORTED_FIELDS, _publish_payments, _recorder

    actor = _recorder(record.uploaded_by)
    entries = [
        LedgerEntry(
            project=project,
            recorded_by=actor,
            contract_id=by_number[row["contract"]][0] if row["contract"] else None,
            **{key: row[key] for key in IMPORTED_FIELDS},
        )
        for row in statement.rows
    ]
    bulk_create_with_history(entries, LedgerEntry, default_user=actor, default_change_reason="ledger_entry_import")
    _publish_payments([(entry.contract_id, entry.booked_on) for entry in entries])
    pages_changed(Change.LEDGER, project_id=project.pk)
    return len(entries)


def ledger_statement_import_run(*, import_id: int) -> StatementImport:
    """Check and import one uploaded statement (the worker's job). Safe to run again."""
    record = StatementImport.objects.select_related("uploaded_by", "project").get(pk=import_id)
    if record.status in SETTLED or not _settle(record, status=StatementImport.Status.RUNNING, errors=[]):
        _forget_upload(record)  # a run that died after committing its answer, or one that answered since
        record.refresh_from_db()
        return record
    try:
        if not record.workbook:  # deleted after IMPORT_FILES_KEEP_DAYS: a job retried that late has nothing to read
            raise ValidationError(file_deleted_message(), code="file_deleted")
        with record.workbook.open("rb") as stored:  # a storage failure is no verdict on the file
            content = stored.read()
        with transaction.atomic():
            claimed = StatementImport.objects.select_for_update().get(pk=record.pk)
            if claimed.status in SETTLED:  # another run got there first
                return claimed
            require_project_manager(record.uploaded_by, record.project)  # still theirs to manage
            project = Project.objects.select_for_update().get(pk=record.project_id)
            statement, by_number = _read(record, content, project)
            if statement.problems:
                _reject(record, statement, content)
            else:
                created = _write(record, project, statement, by_number)
                _import_save(
                    record,
                    status=StatementImport.Status.DONE,
                    created_count=created,
                    already_recorded=[list(pair) for pair in statement.already_recorded],
                )
    except (PermissionDenied, ValidationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        _settle(record, status=StatementImport.Status.REJECTED, errors=[{"message": m} for m in messages])
    except Exception as error:
        # The job fails too (staff see it under Background jobs and may retry it), quoting no cell.
        stopped = import_stopped(logger, "bank statement import", import_id, error)
        if not record_failed(record, _settle):  # another run answered meanwhile: that answer stands
            record.refresh_from_db()
            return record
        raise stopped from None
    _forget_upload(record)
    return record


def ledger_statement_import_files_expire(*, now: datetime | None = None) -> int:
    """Delete the files of statement imports answered more than IMPORT_FILES_KEEP_DAYS ago (the
    clock's job; renovation/jobs/retention.py). Returns how many imports lost their files."""
    return import_files_expire(
        model=StatementImport,
        task_path="renovation.finance.tasks.ledger_statement_import",
        answered=(*SETTLED, StatementImport.Status.FAILED),
        now=now,
    )
