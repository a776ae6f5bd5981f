"""The worker (renovation/jobs/worker.py) runs queued jobs, starts the clock and signs off."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.jobs.models import ScheduleSlot, WorkerHeartbeat
from renovation.jobs.worker import Worker
from renovation.planning.models import PlanImport
from renovation.planning.services import plan_import_start
from renovation.projects.models import Project
from tests.planning.conftest import item_row, plan_workbook, project_row, upload

# The worker commits and closes connections as it goes, like the real one: transactional tests.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue", "site_tree")]


def _worker() -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_a_queued_import_waits_for_the_worker_and_the_worker_runs_it(personas, anyang):
    content = plan_workbook([project_row("RA-2024-01")], [item_row("RA-2024-01")])
    record = plan_import_start(actor=personas.bureau, upload=upload(content))
    record.refresh_from_db()
    assert record.status == PlanImport.Status.QUEUED and not Project.objects.exists()  # nothing in the request

    _worker().run()

    record.refresh_from_db()
    assert record.status == PlanImport.Status.DONE, record.errors
    assert Project.objects.filter(code="RA-2024-01").exists()
    job = DBTaskResult.objects.get(task_path="renovation.planning.tasks.plan_import")
    assert (job.status, job.worker_ids, job.return_value) == (TaskResultStatus.SUCCESSFUL, ["test-worker"], "done")


def test_the_worker_starts_the_clock_and_signs_off(db):
    # The page tree's set-up may have queued a rebuild of a stored rendering whose task is also a
    # clock job; the clock rightly adds nothing while one waits (schedule_enqueue_due): start empty.
    DBTaskResult.objects.all().delete()
    _worker().run()
    assert set(ScheduleSlot.objects.values_list("name", flat=True)) == {
        "tenders-advance",
        "site-issues-remind",
        "evaluations-freeze",
        "jobs-prune",
        "project-summaries-refresh",
        "home-summary-refresh",
        "index-counts-refresh",
        "street-league-refresh",
        "tender-summaries-refresh",
        "project-open-data-refresh",
        "ocds-release-texts-refresh",
        "household-import-files-expire",
        "statement-import-files-expire",
        "plan-import-files-expire",
    }
    clock = DBTaskResult.objects.filter(queue_name="clock")
    assert clock.count() == 14 and set(clock.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert not WorkerHeartbeat.objects.exists()  # a worker that stops cleanly leaves no heartbeat behind


@pytest.fixture
def anyang(personas):
    return personas.street_a_place.community.street
