"""A job whose worker died is taken back: RUNNING with a silent worker → READY; after
JOBS_MAX_ATTEMPTS dead workers → FAILED (WorkerLost), visible to staff."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.jobs.models import WorkerHeartbeat
from renovation.jobs.services import WORKER_LOST, jobs_recover
from renovation.tendering.tasks import tenders_advance

pytestmark = pytest.mark.usefixtures("database_queue")


def _running(*, worker_ids, started_seconds_ago=120) -> DBTaskResult:
    result = tenders_advance.enqueue()
    job = DBTaskResult.objects.get(pk=result.id)
    job.status = TaskResultStatus.RUNNING
    job.started_at = timezone.now() - timedelta(seconds=started_seconds_ago)
    job.worker_ids = worker_ids
    job.save()
    return job


def _beat(worker_id: str, seconds_ago: int) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="node1", pid=1, seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_it_puts_back_the_job_of_a_silent_worker(db, settings):
    settings.JOBS_LEASE_SECONDS = 60
    _beat("dead", seconds_ago=61)
    job = _running(worker_ids=["dead"])
    assert jobs_recover() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=job.pk).exists()  # a worker will pick it up


def test_it_puts_back_the_job_of_a_worker_that_never_wrote_a_heartbeat(db):
    # e.g. the package's plain db_worker, killed
    job = _running(worker_ids=["unknown"])
    jobs_recover()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY


def test_it_leaves_the_job_of_a_live_worker_alone(db, settings):
    settings.JOBS_LEASE_SECONDS = 60
    _beat("alive", seconds_ago=5)
    job = _running(worker_ids=["dead-earlier", "alive"], started_seconds_ago=3600)
    assert jobs_recover() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_it_never_takes_back_the_callers_own_job(db):
    job = _running(worker_ids=["me"])  # my heartbeat is late (a long transaction), but I am alive
    jobs_recover(alive_worker_id="me")
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_it_leaves_a_job_just_claimed(db):
    job = _running(worker_ids=["new"], started_seconds_ago=1)  # its worker's first heartbeat is on its way
    jobs_recover()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_it_fails_a_job_that_lost_its_worker_too_often(db, settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    job = _running(worker_ids=["a", "b", "c"])
    assert jobs_recover() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == WORKER_LOST
    assert "stopped during each of its 3 attempts" in job.traceback
