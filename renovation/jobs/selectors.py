"""What staff see of the queue: failed jobs (with an error line fit to show) and the workers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

FAILED_SHOWN = 200
ERROR_LENGTH = 300

# What each job is, in words (the task path is the fallback).
LABELS = {
    "renovation.planning.tasks.plan_import": _("Annual plan import"),
    "renovation.consultation.tasks.household_import": _("Household register import"),
    "renovation.finance.tasks.ledger_statement_import": _("Bank statement import"),
    "renovation.notifications.tasks.notification_emails_send": _("Notification e-mails"),
    "renovation.sms.tasks.notification_texts_send": _("Notification SMS"),
    "renovation.tendering.tasks.tenders_advance": _("Tender clock"),
    "renovation.supervision.tasks.site_issues_remind": _("Site-issue deadline reminders"),
    "renovation.evaluation.tasks.evaluations_freeze": _("Monthly evaluation freeze"),
    "renovation.jobs.tasks.jobs_prune": _("Job queue clean-up"),
    "renovation.consultation.tasks.household_import_files_expire": _("Deleting old import files"),
    "renovation.finance.tasks.ledger_statement_import_files_expire": _("Deleting old import files"),
    "renovation.planning.tasks.plan_import_files_expire": _("Deleting old import files"),
}

# An error's text can quote what the failing code held: mobile numbers, e-mail addresses and
# 18-character identity numbers are masked before staff see it (the full traceback stays in the
# database and the worker's log for operators).
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[\w-]+")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def error_summary(exception_class_path: str, traceback: str) -> str:
    """The failing exception's last line (class and message), personal data masked, shortened."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    text = lines[-1].strip() if lines else exception_class_path
    text = _EMAIL.sub("***@***", text)
    text = _ID_NUMBER.sub("******************", text)
    text = _MOBILE.sub("1**********", text)
    return text if len(text) <= ERROR_LENGTH else f"{text[: ERROR_LENGTH - 1]}…"


@dataclass(frozen=True)
class FailedJob:
    id: str
    label: str
    task_path: str
    enqueued_at: datetime
    finished_at: datetime | None
    attempts: int
    error: str


def failed_jobs() -> list[FailedJob]:
    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .order_by("-finished_at")
        .only("id", "task_path", "enqueued_at", "finished_at", "worker_ids", "exception_class_path", "traceback")
    )
    return [
        FailedJob(
            id=str(job.pk),
            label=str(LABELS.get(job.task_path, job.task_path.rsplit(".", 1)[-1])),
            task_path=job.task_path,
            enqueued_at=job.enqueued_at,
            finished_at=job.finished_at,
            attempts=len(job.worker_ids),
            error=error_summary(job.exception_class_path, job.traceback),
        )
        for job in rows[:FAILED_SHOWN]
    ]


def queue_counts() -> dict[str, int]:
    waiting = DBTaskResult.objects.ready().count()
    running = DBTaskResult.objects.running().count()
    return {"waiting": waiting, "running": running}


def workers_alive() -> list[WorkerHeartbeat]:
    cutoff = timezone.now() - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    return list(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff))


def job_failed(job_id: object) -> bool:
    """True when the queue gave up on this job (it raised, or its workers died too often): an
    import page that still says "running" shows it as interrupted instead."""
    if not job_id:
        return False
    return DBTaskResult.objects.filter(pk=job_id, status=TaskResultStatus.FAILED).exists()
