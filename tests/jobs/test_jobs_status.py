"""`manage.py jobs_status`: the queue in numbers, and whether a worker is alive (for prod-check)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from renovation.jobs.models import WorkerHeartbeat
from renovation.tendering.tasks import tenders_advance

pytestmark = pytest.mark.usefixtures("database_queue")


def test_it_counts_the_jobs_and_names_the_live_workers(db):
    tenders_advance.enqueue()
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="node1", pid=42)
    out = StringIO()
    call_command("jobs_status", "--require-worker", stdout=out)
    assert out.getvalue().splitlines()[0] == "jobs: 1 waiting, 0 running, 0 failed"
    assert "worker w1 on node1:42" in out.getvalue()


def test_it_fails_without_a_live_worker_when_one_is_required(db, settings):
    settings.JOBS_LEASE_SECONDS = 60
    WorkerHeartbeat.objects.create(
        worker_id="gone", hostname="node1", pid=42, seen_at=timezone.now() - timedelta(seconds=61)
    )
    with pytest.raises(CommandError, match="no job worker is alive"):
        call_command("jobs_status", "--require-worker", stdout=StringIO())
    call_command("jobs_status", stdout=StringIO())  # without the flag it only reports
