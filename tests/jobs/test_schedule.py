"""The clock: each periodic job is enqueued once per period, whatever the number of workers."""

from datetime import UTC, datetime, timedelta

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.jobs.models import ScheduleSlot
from renovation.jobs.services import CLOCK_QUEUE, schedule_enqueue_due

pytestmark = pytest.mark.usefixtures("database_queue")

TENDERS = "renovation.tendering.tasks.tenders_advance"
SCHEDULE = {"tenders-advance": {"task": TENDERS, "every": 60}}
NOON = datetime(2026, 5, 4, 4, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _one_schedule(settings):
    settings.JOBS_SCHEDULE = SCHEDULE


def test_it_enqueues_a_due_job_on_the_clock_queue(db):
    assert schedule_enqueue_due(now=NOON) == ["tenders-advance"]
    job = DBTaskResult.objects.get(task_path=TENDERS)
    assert (job.queue_name, job.status) == (CLOCK_QUEUE, TaskResultStatus.READY)
    slot = ScheduleSlot.objects.get()
    assert slot.due_at == datetime(2026, 5, 4, 4, 0, tzinfo=UTC) and slot.job_id == job.pk


def test_it_enqueues_once_per_period(db):
    schedule_enqueue_due(now=NOON)
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    assert schedule_enqueue_due(now=NOON + timedelta(seconds=40)) == []  # same minute, any worker
    assert schedule_enqueue_due(now=NOON + timedelta(seconds=60)) == ["tenders-advance"]
    assert DBTaskResult.objects.filter(task_path=TENDERS).count() == 2


def test_a_period_claimed_by_another_worker_adds_nothing(db):
    ScheduleSlot.objects.create(name="tenders-advance", due_at=datetime(2026, 5, 4, 4, 0, tzinfo=UTC))
    assert schedule_enqueue_due(now=NOON) == []
    assert not DBTaskResult.objects.exists()


def test_it_adds_nothing_while_the_last_one_still_waits(db):
    schedule_enqueue_due(now=NOON)  # no worker ran it yet
    schedule_enqueue_due(now=NOON + timedelta(minutes=5))
    assert DBTaskResult.objects.filter(task_path=TENDERS).count() == 1
