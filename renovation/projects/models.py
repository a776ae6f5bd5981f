"""Renovation projects (改造项目), their work items (改造内容条目) and progress reports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from renovation.files.registry import file_url
from renovation.files.storage import private_storage
from renovation.public.models import StoredRendering

ZERO = Decimal("0")
HUNDRED = Decimal("100")
PERCENT_VALIDATORS = [MinValueValidator(ZERO), MaxValueValidator(HUNDRED)]
MONEY_VALIDATORS = [MinValueValidator(ZERO)]


def check_date_order(instance: models.Model) -> None:
    """Completion may not come before start, for planned and for actual dates."""
    errors = {}
    if instance.planned_start and instance.planned_end and instance.planned_end < instance.planned_start:
        errors["planned_end"] = _("The planned completion date cannot be before the planned start date.")
    if instance.actual_start and instance.actual_end and instance.actual_end < instance.actual_start:
        errors["actual_end"] = _("The actual completion date cannot be before the actual start date.")
    if errors:
        raise ValidationError(errors)


def date_order_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The database's own guard that completion never precedes start (planned and actual)."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{kind}_end__isnull": True})
            | Q(**{f"{kind}_start__isnull": True})
            | Q(**{f"{kind}_end__gte": F(f"{kind}_start")}),
            name=f"{prefix}_{kind}_end_after_start",
            violation_error_message=message,
        )
        for kind, message in (
            ("planned", _("The planned completion date cannot be before the planned start date.")),
            ("actual", _("The actual completion date cannot be before the actual start date.")),
        )
    ]


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONSULTING = "consulting", _("Consulting residents")
    APPROVED = "approved", _("Approved")
    TENDERING = "tendering", _("Tendering")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    ACCEPTED = "accepted", _("Accepted")
    AFTERCARE = "aftercare", _("Aftercare")
    SUSPENDED = "suspended", _("Suspended")


# A project counts as completed once its works are accepted.
COMPLETED_STATUSES = (ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE)


class WorkCategory(models.TextChoices):
    BUILDING = "building", _("Building")
    ROADS = "roads", _("Roads, traffic and parking")
    NETWORKS = "networks", _("Pipe networks and communications")
    GREENING = "greening", _("Landscape and greening")
    CARE = "care", _("Elderly-care and childcare facilities")
    GOVERNANCE = "governance", _("Community governance and services")


def _money_field(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=ZERO, validators=MONEY_VALIDATORS)


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """A stored value's label, as ``get_FOO_display`` gives it: Django's builds a dict of every
    choice, translating each label, on each call (about half a millisecond on a list page's
    cards, per card); this translates one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Project(models.Model):
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("neighbourhood"),
    )
    code = models.CharField(_("project code"), max_length=32, unique=True, help_text=_("e.g. RA-2023-07"))
    slug = models.SlugField(
        _("web address"),
        max_length=120,
        unique=True,
        allow_unicode=True,
        help_text=_("Used in the public page address /projects/<address>/."),
    )
    name = models.CharField(_("project name"), max_length=200)
    plan_year = models.PositiveSmallIntegerField(
        _("plan year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(_("status"), max_length=24, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    summary = models.TextField(_("summary"), blank=True)

    budget_central = _money_field(_("central subsidy (yuan)"))
    budget_provincial = _money_field(_("provincial subsidy (yuan)"))
    budget_city = _money_field(_("city subsidy (yuan)"))
    budget_resident = _money_field(_("resident contribution (yuan)"))
    budget_other = _money_field(_("other funding (yuan)"))

    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)

    supervising_engineer = models.CharField(_("supervising engineer (监理)"), max_length=200, blank=True)
    staff_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects_in_charge",
        verbose_name=_("staff in charge"),
    )
    # Budget-weighted mean of the work items' confirmed progress; written only by the services.
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=ZERO, validators=PERCENT_VALIDATORS
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-plan_year", "code"]
        verbose_name = _("renovation project")
        verbose_name_plural = _("renovation projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_central__gte=0)
                & Q(budget_provincial__gte=0)
                & Q(budget_city__gte=0)
                & Q(budget_resident__gte=0)
                & Q(budget_other__gte=0),
                name="project_budgets_not_negative",
                violation_error_message=_("Budgets cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="project_progress_0_100",
                violation_error_message=_("Progress must be between 0 and 100%."),
            ),
            *date_order_constraints("project"),
        ]
        indexes = [
            models.Index(fields=["plan_year", "status"]),
            # The default order, walked by the public project index to read one page of projects
            # without sorting them all (cms.models.ProjectIndexPage.listing_queryset).
            models.Index(F("plan_year").desc(), "code", name="project_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_date_order(self)

    @property
    def budget_total(self) -> Decimal:
        return (
            self.budget_central + self.budget_provincial + self.budget_city + self.budget_resident + self.budget_other
        )

    @property
    def is_completed(self) -> bool:
        return self.status in COMPLETED_STATUSES

    def get_status_display(self) -> str:
        return choice_label(ProjectStatus, self.status)


class WorkItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class WorkItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="work_items", verbose_name=_("project"))
    category = models.CharField(_("category"), max_length=16, choices=WorkCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True, validators=MONEY_VALIDATORS
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("e.g. m², m, set"))
    budget = _money_field(_("budget (yuan)"))
    # Decides, with the budget, whether the item must go through the street tendering channel.
    procurement_kind = models.ForeignKey(
        "tendering.ProcurementKind",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("procurement kind"),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)
    # Moved only by confirmed progress reports.
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=ZERO, validators=PERCENT_VALIDATORS
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WorkItemStatus.choices, default=WorkItemStatus.NOT_STARTED
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "category", "sort_order", "pk"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="workitem_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="workitem_progress_0_100",
                violation_error_message=_("Progress must be between 0 and 100%."),
            ),
            *date_order_constraints("workitem"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.get_category_display()} · {self.description}"

    def get_category_display(self) -> str:
        return choice_label(WorkCategory, self.category)

    def get_status_display(self) -> str:
        return choice_label(WorkItemStatus, self.status)

    def clean(self) -> None:
        check_date_order(self)

    @property
    def must_tender(self) -> bool:
        """Whether the works must go through the street tendering channel (业标街管): a must-tender
        kind, or a budget at or above the threshold."""
        kind = self.procurement_kind
        return (kind is not None and kind.must_tender) or self.budget >= settings.TENDER_MANDATORY_BUDGET_YUAN


class ProgressReportStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class ProgressReport(models.Model):
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.PROTECT, related_name="progress_reports", verbose_name=_("work item")
    )
    percent = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS)
    note = models.TextField(_("note"), blank=True)
    reported_on = models.DateField(_("as of"), default=timezone.localdate)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_reports",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProgressReportStatus.choices,
        default=ProgressReportStatus.PENDING,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="progressreport_percent_0_100",
                violation_error_message=_("Progress must be between 0 and 100%."),
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            # The home page's latest updates: read newest first and stop after eight, instead of
            # sorting every confirmed report ever made.
            models.Index(
                fields=["-reported_on", "-reviewed_at", "-id"],
                condition=Q(status=ProgressReportStatus.CONFIRMED),
                name="progress_confirmed_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_item.description}: {self.percent}%"

    @property
    def is_public(self) -> bool:
        """Only confirmed reports (and their photos) reach the public pages."""
        return self.status == ProgressReportStatus.CONFIRMED


class PhotoPhase(models.TextChoices):
    BEFORE = "before", _("Before the works")
    DURING = "during", _("During the works")
    AFTER = "after", _("After the works")


# Private files (renovation/projects/private_files.py): served at /files/<kind>/<photo id>/.
PROGRESS_PHOTO_FILE_KIND = "progress-photo"
PROGRESS_THUMBNAIL_FILE_KIND = "progress-photo-thumbnail"
# The public copies' folder in the public storage (renovation.files.photos.public_copy).
PROGRESS_PHOTO_PUBLIC_FOLDER = "progress-photos"


def _progress_photo_path(instance: ProgressPhoto, filename: str) -> str:
    return f"progress-photos/{timezone.now():%Y/%m}/{filename}"


class ProgressPhoto(models.Model):
    """A photo of the works attached to a progress report: upright, re-encoded, no metadata.

    Private until its report is confirmed; then it gets copies in the public storage
    (services.progress_photos_publish) and appears in the project page's gallery.
    """

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="photos", verbose_name=_("progress report")
    )
    phase = models.CharField(_("phase"), max_length=8, choices=PhotoPhase.choices, default=PhotoPhase.DURING)
    image = models.ImageField(
        _("photo"),
        upload_to=_progress_photo_path,
        storage=private_storage,
        width_field="width",
        height_field="height",
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_progress_photo_path, storage=private_storage)
    public_image = models.FileField(
        _("public copy of the photo"), upload_to=f"{PROGRESS_PHOTO_PUBLIC_FOLDER}/", blank=True, editable=False
    )
    public_thumbnail = models.FileField(
        _("public copy of the thumbnail"), upload_to=f"{PROGRESS_PHOTO_PUBLIC_FOLDER}/", blank=True, editable=False
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Staff take a photo off the public pages (a face, a number plate, a household's door) with a
    # reason; the row and its private files stay, so the record of what was reported is kept.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    # The public copies are derived files, made and remade by the service; not part of the record.
    history = HistoricalRecords(excluded_fields=["public_image", "public_thumbnail"])

    class Meta:
        ordering = ["report", "sort_order", "pk"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.sort_order + 1}"

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None and self.report.is_public

    @property
    def alt_text(self) -> str:
        """What the photo shows, for screen readers: phase, work item, date (no one's name)."""
        report = self.report
        return gettext("%(phase)s: %(work)s, %(date)s") % {
            "phase": self.get_phase_display(),
            "work": report.work_item.description,
            "date": f"{report.reported_on:%Y-%m-%d}",
        }

    # The public copy once there is one; until then the permission-checked view (which answers
    # everyone once the report is confirmed).
    @property
    def image_url(self) -> str:
        return self.public_image.url if self.public_image else file_url(PROGRESS_PHOTO_FILE_KIND, self.pk)

    @property
    def thumbnail_url(self) -> str:
        return self.public_thumbnail.url if self.public_thumbnail else file_url(PROGRESS_THUMBNAIL_FILE_KIND, self.pk)


class ProjectPublicSummary(StoredRendering):
    """What the public project page shows of the project and the apps built on it (progress, works,
    timeline, photos, consultation, tenders, money, site issues, the thread as the public sees it),
    and its card on the project index, kept in one row as the HTML those sections render to, so
    the pages insert it instead of some twenty queries and their templates.

    Never a source of a figure: a change that touches it bumps ``generation`` right after its
    commit, the task queue rebuilds it from the selectors after the commit (cms.summary), and
    the page computes live while it is missing, stale (``built_generation`` behind ``generation``),
    of another ``version`` or ``build``, past ``valid_until`` or not signed by this site. Derived
    data, so it keeps no history."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="public_summary", verbose_name=_("project")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    # The code and templates that rendered it (a deploy that changes them makes it stale).
    build = models.CharField(_("build"), max_length=64, blank=True)
    # Per language, the page's sections' HTML and a few plain values, each language's entry signed
    # (an HMAC with the site's key) and shown only when it matches: written and read by cms.summary
    # only. The change log's first page per language is kept the same way in ``changes``, apart, so
    # that each page reads only the column it shows (cms.models.ProjectPage.routing_queryset).
    content = models.TextField(_("content"), blank=True)
    changes = models.TextField(_("change log"), blank=True)
    # Per language, the project's card on the project index as HTML (JSON text), apart from the
    # page's content so that the index reads a page of cards without it; signed the same way.
    card = models.TextField(_("card"), blank=True)
    card_signature = models.CharField(_("card signature"), max_length=64, blank=True)
    # The first moment the selectors could answer otherwise with no write (midnight, a tender's clock).
    valid_until = models.DateTimeField(_("valid until"), db_index=True)

    class Meta:
        verbose_name = _("project public summary")
        verbose_name_plural = _("project public summaries")

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.built_at:%Y-%m-%d %H:%M}" if self.built_at else f"{self.project_id}"
