"""The project ledger (业财代理) and its quarterly disclosures (三务公开).

A ledger entry is never rewritten once its quarter has been disclosed: a mistake found later is
put right by a new entry dated the day it is made (``corrects`` points at the entry it puts
right, ``amount`` is the signed difference), so a published quarter keeps its figures and the
public sees the correction as its own dated line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from renovation.files.storage import private_storage

ZERO = Decimal("0")


class EntryKind(models.TextChoices):
    INCOME = "income", _("Income")
    PAYMENT = "payment", _("Payment")


class IncomeSource(models.TextChoices):
    """The project's budget sources (``Project.budget_*``), so income reconciles with budget."""

    CENTRAL = "central", _("Central subsidy")
    PROVINCIAL = "provincial", _("Provincial subsidy")
    CITY = "city", _("City subsidy")
    RESIDENT = "resident", _("Resident contribution")
    OTHER = "other", _("Other funding")


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    """The quarter that ended last before ``day``'s quarter (the one usually disclosed next)."""
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


class LedgerEntry(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    source = models.CharField(
        _("source of funds"), max_length=12, choices=IncomeSource.choices, blank=True, help_text=_("Income only.")
    )
    # Signed only on corrections: an entry itself is always more than zero.
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    booked_on = models.DateField(_("date"))
    counterparty = models.CharField(
        _("counterparty"),
        max_length=200,
        help_text=_("The company or government body paid or paying; residents' contributions in aggregate."),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    contract = models.ForeignKey(
        "tendering.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("contract"),
    )
    invoice_number = models.CharField(_("invoice number"), max_length=60, blank=True)
    bank_reference = models.CharField(
        _("bank reference"),
        max_length=80,
        blank=True,
        help_text=_("The bank agent's transaction reference; each is recorded once per project."),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects entry"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-booked_on", "-pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "bank_reference"],
                condition=~Q(bank_reference=""),
                name="ledger_bank_reference_once_per_project",
                violation_error_message=_("This bank reference is already recorded for this project."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(corrects__isnull=False) & ~Q(amount=0)),
                name="ledger_amount_positive_unless_correction",
                violation_error_message=_("The amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.INCOME) | Q(source=""),
                name="ledger_source_only_for_income",
                violation_error_message=_("Only income has a source of funds."),
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.PAYMENT) | Q(contract__isnull=True),
                name="ledger_contract_only_for_payments",
                violation_error_message=_("Only payments are made on a contract."),
            ),
        ]
        indexes = [models.Index(fields=["project", "booked_on"])]

    def __str__(self) -> str:
        return f"{self.booked_on:%Y-%m-%d} {self.get_kind_display()} {self.amount} · {self.counterparty}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.amount is not None:
            if self.corrects_id is None and self.amount <= 0:
                errors["amount"] = _("The amount must be more than zero.")
            elif self.amount == 0:
                errors["amount"] = _("A correction must change the amount (use a minus sign to reduce it).")
        if self.kind == EntryKind.INCOME:
            if not self.source:
                errors["source"] = _("Say where the income comes from.")
            if self.contract_id:
                errors["contract"] = _("Only payments are made on a contract.")
        elif self.source:
            errors["source"] = _("Only income has a source of funds.")
        if self.contract_id and self.project_id and self.contract.project_id != self.project_id:
            errors["contract"] = _("This contract belongs to another project.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    @property
    def quarter(self) -> tuple[int, int]:
        return quarter_of(self.booked_on)


class QuarterlyDisclosure(models.Model):
    """One project's published quarter (季度公开), with its figures frozen at publication."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("project")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    opening_balance = models.DecimalField(_("opening balance (yuan)"), max_digits=14, decimal_places=2)
    income_central = models.DecimalField(_("central subsidy (yuan)"), max_digits=14, decimal_places=2)
    income_provincial = models.DecimalField(_("provincial subsidy (yuan)"), max_digits=14, decimal_places=2)
    income_city = models.DecimalField(_("city subsidy (yuan)"), max_digits=14, decimal_places=2)
    income_resident = models.DecimalField(_("resident contribution (yuan)"), max_digits=14, decimal_places=2)
    income_other = models.DecimalField(_("other funding (yuan)"), max_digits=14, decimal_places=2)
    income_total = models.DecimalField(_("income (yuan)"), max_digits=14, decimal_places=2)
    payments_total = models.DecimalField(_("payments (yuan)"), max_digits=14, decimal_places=2)
    closing_balance = models.DecimalField(_("closing balance (yuan)"), max_digits=14, decimal_places=2)
    entry_count = models.PositiveIntegerField(_("entries"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-year", "-quarter"]
        verbose_name = _("quarterly disclosure")
        verbose_name_plural = _("quarterly disclosures")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "quarter"],
                name="disclosure_once_per_quarter",
                violation_error_message=_("This quarter has already been disclosed for this project."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.label}"

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def last_day(self) -> date:
        return quarter_bounds(self.year, self.quarter)[1]

    def income_by_source(self) -> list[tuple[str, Decimal]]:
        return [(str(label), getattr(self, f"income_{value}")) for value, label in IncomeSource.choices]


class StatementImport(models.Model):
    """An upload of the bank agent's statement for one project and what became of it (the worker
    imports it: renovation/finance/tasks.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Checking and importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Not imported: errors found")
        FAILED = "failed", _("Interrupted")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # Kept (private, unguessable name) only until the import has an answer; the marked-up copy of a
    # refused statement is served through the project-manager view until IMPORT_FILES_KEEP_DAYS
    # after the answer (the clock deletes both).
    workbook = models.FileField(
        _("workbook"), upload_to="statement-imports/%Y/%m/", storage=private_storage, blank=True
    )
    annotated = models.FileField(
        _("workbook with errors marked"), upload_to="statement-imports/%Y/%m/", storage=private_storage, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("entries imported"), default=0)
    # [[row, bank reference], ...]: rows skipped because the ledger already has them.
    already_recorded = models.JSONField(_("already recorded"), default=list, blank=True)
    job_id = models.UUIDField(_("job"), null=True, blank=True)
    # When IMPORT_FILES_KEEP_DAYS after the answer the clock deleted the files (renovation/jobs/retention.py).
    files_deleted_at = models.DateTimeField(_("files deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

    @property
    def files_kept_days(self) -> int | None:
        """How many days after the import's last activity its files were deleted (None: not deleted)."""
        return (self.files_deleted_at - self.updated_at).days if self.files_deleted_at else None

    @property
    def idle_seconds(self) -> float:
        return (timezone.now() - self.updated_at).total_seconds()
