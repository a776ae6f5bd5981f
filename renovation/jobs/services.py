"""The job queue's own operations: worker heartbeats, taking back the jobs of workers that died,
the clock that enqueues periodic jobs, pruning, and staff retrying a failed job.

django-tasks-db marks a job RUNNING when a worker claims it and never looks at it again: a worker
killed mid-job (SIGKILL, out of memory, a node lost) would leave it RUNNING for ever. Every worker
therefore writes a heartbeat; a RUNNING job whose worker has been silent for JOBS_LEASE_SECONDS is
put back in the queue (and failed, visibly, after JOBS_MAX_ATTEMPTS workers died on it). Jobs must
be safe to run again after a worker died half-way: each one either writes in one transaction and
records that it is done in that same transaction (the plan import), or marks every item it has
finished (notification e-mails and texts), or catches up with the clock (tenders, reminders).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.accounts.permissions import is_bureau

from .models import JobRetry, ScheduleSlot, WorkerHeartbeat

logger = logging.getLogger(__name__)

CLOCK_QUEUE = "clock"
# Periodic jobs go before queued imports: a long queue must not hold the tender clock back.
CLOCK_PRIORITY = 50
WORKER_LOST = "renovation.jobs.services.WorkerLost"
SUCCESSFUL_KEPT_DAYS = 14


class WorkerLost(Exception):
    """Stands for a job whose workers died under it too often (never raised: written as its error)."""


def worker_heartbeat(*, worker_id: str, hostname: str, pid: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={"seen_at": now, "started_at": now, "hostname": hostname[:255], "pid": pid},
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def jobs_recover(*, now: datetime | None = None, alive_worker_id: str = "") -> dict[str, int]:
    """Put back in the queue every RUNNING job whose worker has not been seen for the lease.

    ``alive_worker_id`` is the caller itself: its own jobs are never taken back. Each job is
    changed by a conditional update on the claim it had (status and start time), so two workers
    recovering at once take a job back once."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    alive.add(alive_worker_id)
    counts = {"requeued": 0, "failed": 0}
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    for job in running.only("id", "started_at", "worker_ids", "task_path"):
        if job.worker_ids and job.worker_ids[-1] in alive:
            continue
        claim = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at)
        attempts = len(job.worker_ids)
        if attempts >= settings.JOBS_MAX_ATTEMPTS:
            changed = claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"WorkerLost: the worker running this job stopped during each of its {attempts} attempts.",
            )
            counts["failed"] += changed
        else:
            changed = claim.update(status=TaskResultStatus.READY)
            counts["requeued"] += changed
        if changed:
            logger.warning("job %s (%s) lost its worker after attempt %s", job.pk, job.task_path, attempts)
    return counts


def period_start(now: datetime, every: int) -> datetime:
    """The start of the period of ``every`` seconds that ``now`` falls in (periods count from the epoch)."""
    return datetime.fromtimestamp(int(now.timestamp()) // every * every, tz=UTC)


def schedule_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue each periodic job (JOBS_SCHEDULE) whose current period has not been enqueued yet.

    The period is claimed by inserting its ScheduleSlot row, in the same transaction as the job
    row: of any number of workers exactly one enqueues it. A period whose job from an earlier
    period is still waiting adds nothing (the waiting one will catch up). Returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, entry in settings.JOBS_SCHEDULE.items():
        due = period_start(now, int(entry["every"]))
        if ScheduleSlot.objects.filter(name=name, due_at=due).exists():
            continue
        task = import_string(entry["task"])
        try:
            with transaction.atomic():
                slot = ScheduleSlot.objects.create(name=name, due_at=due)
                if DBTaskResult.objects.ready().filter(task_path=task.module_path).exists():
                    continue
                result = task.using(queue_name=CLOCK_QUEUE, priority=CLOCK_PRIORITY).enqueue()
                slot.job_id = result.id
                slot.save(update_fields=["job_id"])
        except IntegrityError:  # another worker claimed this period first
            continue
        enqueued.append(name)
    return enqueued


def jobs_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Forget successful jobs after SUCCESSFUL_KEPT_DAYS, clock periods and silent workers after a
    day. Failed jobs stay until staff retry them."""
    now = now or timezone.now()
    kept_since = now - timedelta(days=SUCCESSFUL_KEPT_DAYS)
    old_jobs = DBTaskResult.objects.successful().filter(finished_at__lt=kept_since).delete()[0]
    slots = ScheduleSlot.objects.filter(due_at__lt=now - timedelta(days=1)).delete()[0]
    workers = WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()[0]
    return {"jobs": old_jobs, "slots": slots, "workers": workers}


def job_retry(*, actor: Any, job_id: Any) -> DBTaskResult:
    """Send a failed job back to the queue (bureau staff). The job keeps its id and arguments;
    who retried it, when and what its error was are recorded. A job that is not failed (any more:
    retried twice from two screens) is refused."""
    if not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff may retry background jobs."))
    with transaction.atomic():
        job = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != TaskResultStatus.FAILED:
            raise ValidationError(_("This job has not failed, or was already retried: there is nothing to retry."))
        JobRetry.objects.create(
            job_id=job.pk, task_path=job.task_path, error_class=job.exception_class_path, retried_by=actor
        )
        job.status = TaskResultStatus.READY
        job.started_at = None
        job.finished_at = None
        job.exception_class_path = ""
        job.traceback = ""
        job.worker_ids = []  # the attempts count again (JobRetry keeps what happened)
        job.save(
            update_fields=["status", "started_at", "finished_at", "exception_class_path", "traceback", "worker_ids"]
        )
    return job
