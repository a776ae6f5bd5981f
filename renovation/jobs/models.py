"""What the job queue keeps beside django-tasks-db's own table (its ``DBTaskResult`` rows are the jobs).

- ``WorkerHeartbeat``: each running worker says it is alive; a job whose worker went silent is
  taken back (renovation/jobs/services.py, ``jobs_recover``).
- ``ScheduleSlot``: one row per period of each periodic job; the unique constraint lets exactly one
  worker (of any number, on any node) enqueue it.
- ``JobRetry``: who sent a failed job back to the queue, when, and what its error was.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class ScheduleSlot(models.Model):
    name = models.CharField(_("schedule"), max_length=64)
    due_at = models.DateTimeField(_("period start"))
    job_id = models.UUIDField(_("job"), null=True, blank=True)
    created_at = models.DateTimeField(_("enqueued"), default=timezone.now)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("schedule period")
        verbose_name_plural = _("schedule periods")
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="jobs_one_slot_per_period")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"


class JobRetry(models.Model):
    job_id = models.UUIDField(_("job"), db_index=True)
    task_path = models.TextField(_("task"))
    error_class = models.TextField(_("error"))
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("retried by")
    )
    retried_at = models.DateTimeField(_("retried"), default=timezone.now)

    class Meta:
        ordering = ["-retried_at", "-pk"]
        verbose_name = _("job retry")
        verbose_name_plural = _("job retries")

    def __str__(self) -> str:
        return f"{self.task_path} ({self.job_id})"
