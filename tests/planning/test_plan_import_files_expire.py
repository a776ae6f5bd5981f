"""A plan import's files (its upload, kept until now, and the marked-up copy of a refused one) are
deleted IMPORT_FILES_KEEP_DAYS after its answer; an import still being checked is never touched;
an upload whose transaction rolls back leaves no file behind."""

import os
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from renovation.planning.models import PlanImport
from renovation.planning.services import plan_import_files_expire, plan_import_start
from tests.jobs.test_import_orphans import _write
from tests.planning.conftest import item_row, plan_workbook, project_row, upload
from tests.planning.test_plan_import import _import


def _age(record: PlanImport, days: float) -> None:
    PlanImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=days))


def test_it_deletes_both_files_of_an_old_refused_import_and_keeps_its_record(personas, anyang, settings):
    record = _import(personas.bureau, plan_workbook([project_row("A", central=-5)], []))
    assert record.status == PlanImport.Status.REJECTED and record.workbook and record.annotated
    files = [(record.workbook.storage, record.workbook.name), (record.annotated.storage, record.annotated.name)]
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)

    assert plan_import_files_expire() == 1
    assert plan_import_files_expire() == 0  # again: nothing left to do

    record.refresh_from_db()
    assert not any(storage.exists(name) for storage, name in files)
    assert (record.workbook.name, record.annotated.name) == ("", "") and record.files_deleted_at is not None
    assert record.status == PlanImport.Status.REJECTED and record.errors


def test_it_keeps_the_files_of_a_younger_import_and_never_touches_one_being_checked(personas, anyang, settings):
    done = _import(personas.bureau, plan_workbook([project_row("RA-2024-01")], [item_row("RA-2024-01")]))
    assert done.status == PlanImport.Status.DONE
    _age(done, settings.IMPORT_FILES_KEEP_DAYS - 1)
    with TestCase.captureOnCommitCallbacks(execute=False):  # the job has not run
        waiting = plan_import_start(actor=personas.bureau, upload=upload(plan_workbook([project_row("B")], [])))
    PlanImport.objects.filter(pk=waiting.pk).update(status=PlanImport.Status.VALIDATING)
    _age(waiting, 365)

    assert plan_import_files_expire() == 0
    for record in (done, waiting):
        record.refresh_from_db()
        assert record.workbook.storage.exists(record.workbook.name)


def test_the_status_page_says_the_files_were_deleted_instead_of_linking_them(login, personas, anyang, settings):
    record = _import(personas.bureau, plan_workbook([project_row("A", central=-5)], []))
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)
    plan_import_files_expire()
    response = login(personas.bureau).get(reverse("plan_import_detail", args=[record.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"本次导入的文件已在导入结束 {settings.IMPORT_FILES_KEEP_DAYS + 1} 天后删除" in page
    assert reverse("plan_import_annotated", args=[record.pk]) not in page


def test_an_upload_whose_transaction_rolls_back_leaves_no_file(personas, anyang, monkeypatch):
    saved = []

    def broken(task, *, import_id):  # the job's row cannot be written: the upload's transaction rolls back
        saved.append(PlanImport.objects.get(pk=import_id).workbook)
        raise DatabaseError("the queue table is gone")

    monkeypatch.setattr("renovation.planning.services.enqueue_on_commit", broken)
    with pytest.raises(DatabaseError):
        plan_import_start(actor=personas.bureau, upload=upload(plan_workbook([project_row("A")], [])))
    assert not PlanImport.objects.exists()
    assert saved and saved[0].name and not saved[0].storage.exists(saved[0].name)


def test_the_clock_job_deletes_orphans_and_keeps_every_file_an_import_names(personas, anyang):
    record = _import(personas.bureau, plan_workbook([project_row("A", central=-5)], []))
    assert record.status == PlanImport.Status.REJECTED and record.workbook and record.annotated
    storage = record.workbook.storage
    stamp = (timezone.now() - timedelta(days=3)).timestamp()  # older than the grace, younger than retention
    for name in (record.workbook.name, record.annotated.name):
        os.utime(storage.path(name), (stamp, stamp))
    orphan = _write(storage, "plan-imports/2020/01/errors-999.xlsx", timedelta(days=3))

    assert plan_import_files_expire() == 0  # no import is old enough to lose its files
    assert not storage.exists(orphan)
    assert storage.exists(record.workbook.name) and storage.exists(record.annotated.name)
