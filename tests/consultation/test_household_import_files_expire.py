"""The household register's files (residents' names, phones and addresses) are deleted
IMPORT_FILES_KEEP_DAYS after the import's answer; imports still waiting for their job are never
touched; the record, its counts and its problem list stay. And an upload whose transaction rolls
back leaves no file behind."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.consultation.models import HouseholdImport
from renovation.consultation.register import household_import_files_expire, household_import_run
from renovation.consultation.services import household_import_start
from tests.consultation.test_household_import import _import, feiyun, register_workbook, row  # noqa: F401
from tests.planning.conftest import upload

pytestmark = pytest.mark.usefixtures("feiyun")  # the street's neighbourhood the rows name
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "clock"]}}


def _age(record: HouseholdImport, days: float) -> None:
    HouseholdImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=days))


def _refused(personas) -> HouseholdImport:
    record = _import(personas.street_a, [row(phone="1", name="李四")])
    assert record.status == HouseholdImport.Status.REJECTED and record.annotated
    return record


def _queued(personas) -> HouseholdImport:
    """An upload whose job is a row in the database queue (not run)."""
    return household_import_start(actor=personas.street_a, upload=upload(register_workbook([row()])))


def test_it_deletes_the_marked_copy_of_an_old_refused_import_and_keeps_its_record(personas, settings):
    record = _refused(personas)
    stored, storage = record.annotated.name, record.annotated.storage
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)

    assert household_import_files_expire() == 1

    record.refresh_from_db()
    assert not storage.exists(stored)
    assert (record.annotated.name, record.workbook.name) == ("", "")
    assert record.status == HouseholdImport.Status.REJECTED and record.files_deleted_at is not None
    assert record.errors and all(error["code"] == "phone" for error in record.errors)
    # The problem list that stays names rows, columns and rules, never a cell's value.
    assert "李四" not in str(record.errors) and "13800000001" not in str(record.errors)
    entry = record.history.first()
    assert (entry.history_change_reason, entry.history_user, entry.annotated) == ("import_files_expired", None, "")


def test_it_keeps_the_files_of_a_younger_import(personas, settings):
    record = _refused(personas)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS - 1)
    assert household_import_files_expire() == 0
    record.refresh_from_db()
    assert record.annotated.storage.exists(record.annotated.name) and record.files_deleted_at is None


def test_the_keep_days_setting_decides(personas, settings):
    record = _refused(personas)
    _age(record, 8)
    settings.IMPORT_FILES_KEEP_DAYS = 7
    assert household_import_files_expire() == 1


@pytest.mark.parametrize("status", [HouseholdImport.Status.QUEUED, HouseholdImport.Status.RUNNING])
def test_it_never_touches_an_import_still_queued_or_running(personas, settings, status):
    settings.TASKS = DATABASE_QUEUE
    record = _queued(personas)
    HouseholdImport.objects.filter(pk=record.pk).update(status=status)
    _age(record, 365)
    assert household_import_files_expire() == 0
    record.refresh_from_db()
    assert record.workbook and record.workbook.storage.exists(record.workbook.name)


def test_it_never_touches_an_interrupted_import_whose_job_staff_sent_back_to_the_queue(personas, settings):
    settings.TASKS = DATABASE_QUEUE
    record = _queued(personas)  # its job is READY again, as after "retry" under Background jobs
    HouseholdImport.objects.filter(pk=record.pk).update(status=HouseholdImport.Status.FAILED)
    _age(record, 365)
    assert household_import_files_expire() == 0
    record.refresh_from_db()
    assert record.workbook.storage.exists(record.workbook.name)


def test_it_deletes_the_upload_of_an_import_the_queue_gave_up_on(personas, settings):
    settings.TASKS = DATABASE_QUEUE
    record = _queued(personas)
    stored, storage = record.workbook.name, record.workbook.storage
    # Its workers died on every attempt: the queue failed the job, the record still says running.
    HouseholdImport.objects.filter(pk=record.pk).update(status=HouseholdImport.Status.RUNNING)
    DBTaskResult.objects.filter(pk=record.job_id).update(status=TaskResultStatus.FAILED)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)

    assert household_import_files_expire() == 1
    record.refresh_from_db()
    assert not storage.exists(stored) and not record.workbook and record.files_deleted_at is not None


def test_it_is_idempotent(personas, settings):
    record = _refused(personas)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)
    assert household_import_files_expire() == 1
    history = record.history.count()
    assert household_import_files_expire() == 0
    assert record.history.count() == history
    # A file someone already removed by hand is no error either.
    other = _refused(personas)
    other.annotated.storage.delete(other.annotated.name)
    _age(other, settings.IMPORT_FILES_KEEP_DAYS + 1)
    assert household_import_files_expire() == 1


def test_the_status_page_says_the_files_were_deleted_instead_of_linking_them(login, personas, settings):
    record = _refused(personas)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS)
    household_import_files_expire(now=timezone.now() + timedelta(days=1, hours=1))  # the clock ran a day late
    client = login(personas.street_a)
    response = client.get(reverse("consultation_register_import_detail", args=[record.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"本次导入的文件已在导入结束 {settings.IMPORT_FILES_KEEP_DAYS + 1} 天后删除" in page
    assert reverse("consultation_register_import_annotated", args=[record.pk]) not in page
    download = client.get(reverse("consultation_register_import_annotated", args=[record.pk]))
    assert download.status_code == 302 and download["Location"] == reverse(
        "consultation_register_import_detail", args=[record.pk]
    )


def test_a_job_retried_after_its_upload_was_deleted_refuses_with_a_message(personas, settings):
    with TestCase.captureOnCommitCallbacks(execute=False):
        record = _queued(personas)
    HouseholdImport.objects.filter(pk=record.pk).update(status=HouseholdImport.Status.FAILED)
    _age(record, settings.IMPORT_FILES_KEEP_DAYS + 1)
    assert household_import_files_expire() == 1

    result = household_import_run(import_id=record.pk)
    assert result.status == HouseholdImport.Status.REJECTED
    message = f"上传的工作簿已在导入结束 {settings.IMPORT_FILES_KEEP_DAYS} 天后删除，请重新上传。"
    assert result.errors == [{"message": message}]


def test_an_upload_whose_transaction_rolls_back_leaves_no_file(personas, monkeypatch):
    saved = []

    def broken(task, *, import_id):  # the job's row cannot be written: the upload's transaction rolls back
        saved.append(HouseholdImport.objects.get(pk=import_id).workbook)
        raise DatabaseError("the queue table is gone")

    monkeypatch.setattr("renovation.consultation.services.enqueue_on_commit", broken)
    with pytest.raises(DatabaseError):
        _queued(personas)
    assert not HouseholdImport.objects.exists()
    assert saved and saved[0].name and not saved[0].storage.exists(saved[0].name)
