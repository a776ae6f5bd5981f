"""A bank statement's files (it names payees) are deleted IMPORT_FILES_KEEP_DAYS after the import's
answer; an import still waiting for its job is never touched; an upload whose transaction rolls
back leaves no file behind."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from renovation.finance.import_services import ledger_statement_import_files_expire
from renovation.finance.models import StatementImport
from renovation.finance.services import ledger_statement_import_start
from tests.finance.test_ledger_statement_import import good_rows, ledger_statement_import, statement


def _age(record: StatementImport, days: float) -> None:
    StatementImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=days))


def _refused(books, personas) -> StatementImport:
    payee = ["2024-01-01", "支出", 1, "张三 13912345678", "退款", "R1", "", "", ""]
    record = ledger_statement_import(
        actor=personas.street_a, project=books.project, upload=statement([good_rows()[0], payee])
    )
    assert record.status == StatementImport.Status.REJECTED and record.annotated
    return record


def test_it_deletes_the_marked_copy_of_an_old_refused_import_and_keeps_its_record(books, personas, settings):
    record = _refused(books, personas)
    stored, storage = record.annotated.name, record.annotated.storage
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)

    assert ledger_statement_import_files_expire() == 1
    assert ledger_statement_import_files_expire() == 0  # again: nothing left to do

    record.refresh_from_db()
    assert not storage.exists(stored) and not record.annotated and record.files_deleted_at is not None
    assert record.status == StatementImport.Status.REJECTED and record.errors
    # The problem list that stays names rows, columns and rules, never the payee.
    assert "张三" not in str(record.errors) and "13912345678" not in str(record.errors)
    entry = record.history.first()
    assert (entry.history_change_reason, entry.history_user, entry.annotated) == ("import_files_expired", None, "")


def test_it_keeps_the_files_of_a_younger_import(books, personas, settings):
    record = _refused(books, personas)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS - 1)
    assert ledger_statement_import_files_expire() == 0
    record.refresh_from_db()
    assert record.annotated.storage.exists(record.annotated.name)


def test_it_never_touches_a_queued_import(books, personas):
    with TestCase.captureOnCommitCallbacks(execute=False):  # the job has not run
        record = ledger_statement_import_start(actor=personas.street_a, project=books.project, upload=statement([]))
    _age(record, 365)
    assert ledger_statement_import_files_expire() == 0
    record.refresh_from_db()
    assert record.workbook.storage.exists(record.workbook.name)


def test_the_status_page_says_the_files_were_deleted_instead_of_linking_them(login, books, personas, settings):
    record = _refused(books, personas)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)
    ledger_statement_import_files_expire()
    response = login(personas.street_a).get(reverse("finance_statement_import_detail", args=[record.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"本次导入的文件已在导入结束 {settings.IMPORT_FILES_KEEP_DAYS + 1} 天后删除" in page
    assert reverse("finance_statement_import_annotated", args=[record.pk]) not in page


def test_an_upload_whose_transaction_rolls_back_leaves_no_file(books, personas, monkeypatch):
    saved = []

    def broken(task, *, import_id):  # the job's row cannot be written: the upload's transaction rolls back
        saved.append(StatementImport.objects.get(pk=import_id).workbook)
        raise DatabaseError("the queue table is gone")

    monkeypatch.setattr("renovation.finance.import_services.enqueue_on_commit", broken)
    with pytest.raises(DatabaseError):
        ledger_statement_import_start(actor=personas.street_a, project=books.project, upload=statement(good_rows()))
    assert not StatementImport.objects.exists()
    assert saved and saved[0].name and not saved[0].storage.exists(saved[0].name)
