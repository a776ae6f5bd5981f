"""An upload of the annual plan workbook and what became of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from renovation.files.storage import private_storage


class PlanImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        VALIDATING = "validating", _("Checking")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Not imported: errors found")
        FAILED = "failed", _("Interrupted")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # Empty once IMPORT_FILES_KEEP_DAYS after the answer the clock deleted it.
    workbook = models.FileField(_("workbook"), upload_to="plan-imports/%Y/%m/", storage=private_storage, blank=True)
    annotated = models.FileField(
        _("workbook with errors marked"), upload_to="plan-imports/%Y/%m/", storage=private_storage, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("import result"), default=dict, blank=True)
    # When IMPORT_FILES_KEEP_DAYS after the answer the clock deleted the files (renovation/jobs/retention.py).
    files_deleted_at = models.DateTimeField(_("files deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)

    # Each change of state (checked, importing, done, refused, interrupted, files deleted) is a
    # history row naming the uploader and the import; the row counter's ticks while a workbook is
    # read are progress, not a change, and are written without one (services._progress).
    history = HistoricalRecords(excluded_fields=["rows_done"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> float:
        if self.status in (self.Status.DONE,):
            return 100.0
        return round(self.rows_done / self.rows_total * 100, 1) if self.rows_total else 0.0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

    @property
    def files_kept_days(self) -> int | None:
        """How many days after the import's last activity its files were deleted (None: not deleted)."""
        return (self.files_deleted_at - self.updated_at).days if self.files_deleted_at else None
