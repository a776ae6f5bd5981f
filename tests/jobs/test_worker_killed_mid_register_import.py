"""The household register import survives its worker, as the plan import does
(test_worker_killed_mid_import.py): killed (SIGKILL) in the middle of writing the households, the
import is taken back by the next worker and completes exactly once.

Runs on PostgreSQL (CI does): the worker is held inside the import's transaction by a row lock the
test takes on a household the workbook changes, so the kill lands mid-import every time.
"""

from __future__ import annotations

import psycopg
import pytest
from django.test import TestCase
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.consultation.models import Household, HouseholdImport
from renovation.consultation.services import household_import_start
from tests.consultation.test_household_import import register_workbook, row
from tests.jobs.test_worker_killed_mid_import import DATABASE_BACKEND, _blocked_on_a_lock, _dsn, postgresql  # noqa: F401
from tests.jobs.workers import start_worker, stop, stored_renderings_refresh, wait_for
from tests.planning.conftest import upload

pytestmark = [
    pytest.mark.serial,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("site_tree"),
]


def test_it_completes_the_register_import_exactly_once_after_the_worker_is_killed(
    postgresql,  # noqa: F811
    personas,
    settings,
    tmp_path,
):
    place = personas.street_a_place
    place.community.name = "社区X"
    place.community.save()
    # A first register, imported the ordinary way: household 1-1-101 exists.
    with TestCase.captureOnCommitCallbacks(execute=True):
        household_import_start(actor=personas.street_a, upload=upload(register_workbook([row("1", "101")])))
    existing = Household.objects.get()

    # The second changes 1-1-101's phone and adds 2-1-201; it goes to the queue.
    settings.TASKS = DATABASE_BACKEND
    content = register_workbook([row("1", "101", phone="13900000002"), row("2", "201")])
    record = household_import_start(actor=personas.street_a, upload=upload(content))
    job = DBTaskResult.objects.get(task_path="renovation.consultation.tasks.household_import")
    assert job.status == TaskResultStatus.READY

    stored_renderings_refresh()  # the worker's clock finds nothing to wait for

    log = tmp_path / "workers.log"
    lock = psycopg.connect(_dsn())
    first = second = None
    try:
        # Hold 1-1-101: the import waits for it inside its transaction, after inserting 2-1-201.
        lock.execute("SELECT id FROM consultation_household WHERE id = %s FOR UPDATE", [existing.pk])
        first = start_worker(log)
        wait_for(_blocked_on_a_lock, "the worker to wait for the locked household inside the import", log)
        record.refresh_from_db()
        job.refresh_from_db()
        assert record.status == HouseholdImport.Status.RUNNING
        assert job.status == TaskResultStatus.RUNNING and len(job.worker_ids) == 1
        assert not Household.objects.filter(building="2").exists()  # written, not committed

        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait(timeout=30)
        lock.rollback()

        second = start_worker(log)
        wait_for(
            lambda: DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.SUCCESSFUL,
            "the second worker to take the job back and finish it",
            log,
        )
    finally:
        lock.close()
        for process in (first, second):
            if process is not None:
                stop(process)

    job.refresh_from_db()
    record.refresh_from_db()
    assert len(job.worker_ids) == 2 and job.worker_ids[0] != job.worker_ids[1]
    assert record.status == HouseholdImport.Status.DONE, record.errors
    assert record.summary == {"created": 1, "updated": 1, "unchanged": 0}
    assert not record.workbook  # the register's upload is gone once imported
    assert Household.objects.count() == 2 and Household.objects.get(pk=existing.pk).phone == "13900000002"
    added = Household.objects.get(building="2")
    assert added.history.filter(history_type="+").count() == 1
    assert existing.history.filter(history_type="~", history_change_reason="household_import").count() == 1
    assert "13900000002" not in log.read_text(errors="replace")  # the workers logged no cell
