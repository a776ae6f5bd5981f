"""A job survives its worker: killed (SIGKILL) in the middle of the plan import, the import is
taken back by the next worker and completes exactly once.

Runs on PostgreSQL (CI does): the worker is held inside the import's transaction by a row lock the
test takes on a project the workbook changes, so the kill lands mid-import every time, not by luck.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.test import TestCase
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cms.models import ProjectPage
from renovation.planning.models import PlanImport
from renovation.planning.services import plan_import_start
from renovation.projects.models import Project, WorkItem
from tests.jobs.workers import start_worker, stop, stored_renderings_refresh, wait_for
from tests.planning.conftest import item_row, plan_workbook, project_row, upload

# Serial: it kills a worker at a moment it waits for, which a loaded parallel run can miss.
pytestmark = [
    pytest.mark.serial,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("site_tree"),
]

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "clock"]}}


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the test holds a row lock to stop the worker mid-import")


def _dsn() -> str:
    db = connection.settings_dict
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"


def _blocked_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_it_completes_the_import_exactly_once_after_the_worker_is_killed(postgresql, personas, settings, tmp_path):
    # A first plan, imported the ordinary way: project RA-2024-01 exists.
    with TestCase.captureOnCommitCallbacks(execute=True):
        plan_import_start(actor=personas.bureau, upload=upload(plan_workbook([project_row("RA-2024-01")], [])))
    existing = Project.objects.get(code="RA-2024-01")

    # The second plan changes RA-2024-01 and adds RA-2024-02 with two work items; it goes to the queue.
    settings.TASKS = DATABASE_BACKEND
    content = plan_workbook(
        [project_row("RA-2024-01", central=900000), project_row("RA-2024-02", neighbourhood="建设新村")],
        [item_row("RA-2024-02"), item_row("RA-2024-02", "networks", "雨污分流", 300000)],
    )
    record = plan_import_start(actor=personas.bureau, upload=upload(content))
    job = DBTaskResult.objects.get(task_path="renovation.planning.tasks.plan_import")
    assert job.status == TaskResultStatus.READY

    # The worker's clock also refreshes the stored renderings, and writing one waits on the locked
    # project too: make them current first, so the one waiting is the import.
    stored_renderings_refresh()

    log = tmp_path / "workers.log"
    lock = psycopg.connect(_dsn())
    first = second = None
    try:
        # Hold RA-2024-01: the import will wait for it inside its transaction, after inserting RA-2024-02.
        lock.execute("SELECT id FROM projects_project WHERE id = %s FOR UPDATE", [existing.pk])
        first = start_worker(log)
        wait_for(_blocked_on_a_lock, "the worker to wait for the locked project inside the import", log)
        record.refresh_from_db()
        job.refresh_from_db()
        assert record.status == PlanImport.Status.IMPORTING
        assert job.status == TaskResultStatus.RUNNING and len(job.worker_ids) == 1
        assert not Project.objects.filter(code="RA-2024-02").exists()  # written, not committed

        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait(timeout=30)
        lock.rollback()  # the dead worker's transaction can only roll back now

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
    assert len(job.worker_ids) == 2 and job.worker_ids[0] != job.worker_ids[1]  # two attempts, two workers
    assert record.status == PlanImport.Status.DONE, record.errors
    assert record.summary["projects_created"] == 1 and record.summary["projects_updated"] == 1
    assert Project.objects.filter(code="RA-2024-02").count() == 1
    added = Project.objects.get(code="RA-2024-02")
    assert sorted(WorkItem.objects.filter(project=added).values_list("description", flat=True)) == [
        "外立面整治",
        "雨污分流",
    ]
    # History: one creation of the new project and of each item, one update of the changed project.
    assert added.history.filter(history_type="+").count() == 1
    assert WorkItem.history.filter(project_id=added.pk, history_type="+").count() == 2
    assert existing.history.filter(history_type="~", history_change_reason="plan_import").count() == 1
    assert Project.objects.get(pk=existing.pk).budget_central == 900000
    assert ProjectPage.objects.filter(project=added).count() == 1
