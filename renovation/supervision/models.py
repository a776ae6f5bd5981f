"""Resident supervision (群众监督): supervisors, construction units, site issues and their photos."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from renovation.files.registry import file_url
from renovation.files.storage import private_storage


class Supervisor(models.Model):
    """A resident appointed to watch the works (群众监督员)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisor", verbose_name=_("account")
    )
    home_neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        on_delete=models.PROTECT,
        related_name="supervisors",
        verbose_name=_("home neighbourhood"),
    )
    appointed_by = models.CharField(_("appointing body"), max_length=100, help_text=_("e.g. 安阳街道办事处"))
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    show_name_publicly = models.BooleanField(
        _("show my name on public pages"),
        default=False,
        help_text=_("Otherwise the public sees “resident supervisor”."),
    )
    projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="supervisors", verbose_name=_("assigned projects")
    )

    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        verbose_name = _("resident supervisor")
        verbose_name_plural = _("resident supervisors")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")),
                name="supervisor_term_end_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("The term cannot end before it starts.")})

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.first_name or self.user.get_username()

    def in_term(self, on: object = None) -> bool:
        today = on or timezone.localdate()
        return self.term_start <= today <= self.term_end


class ConstructionUnit(models.Model):
    """The site accounts of a construction company (施工单位). The projects it builds are not
    typed here: they are the projects whose works its company holds a signed contract for."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    company = models.OneToOneField(
        "tendering.Bidder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="construction_unit",
        verbose_name=_("company"),
        help_text=_("The company (with its unified social credit code) whose contracts these accounts answer for."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="construction_units", verbose_name=_("accounts")
    )

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        verbose_name = _("construction unit")
        verbose_name_plural = _("construction units")

    def __str__(self) -> str:
        return self.name


class IssueCategory(models.TextChoices):
    QUALITY = "quality", _("Quality")
    PROGRESS = "progress", _("Progress")
    SAFETY = "safety", _("Safety")
    CIVILISED = "civilised", _("Civilised construction")
    OTHER = "other", _("Other")


class IssueSeverity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    URGENT = "urgent", _("Urgent")


class IssueStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted for rectification")
    RECTIFYING = "rectifying", _("Being rectified")
    RECTIFIED = "rectified", _("Rectified, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed fixed")
    REJECTED = "rejected", _("Not accepted")
    REOPENED = "reopened", _("Reopened")


# Once staff accept an issue the public sees it; until then (and if rejected) it stays private.
PUBLIC_STATUSES = (
    IssueStatus.ACCEPTED,
    IssueStatus.RECTIFYING,
    IssueStatus.RECTIFIED,
    IssueStatus.CONFIRMED,
    IssueStatus.REOPENED,
)
# Waiting on someone: staff (submitted) or the construction unit (accepted onwards).
OPEN_STATUSES = (IssueStatus.SUBMITTED, IssueStatus.ACCEPTED, IssueStatus.RECTIFYING, IssueStatus.REOPENED)
# The construction unit still owes a fix.
AWAITING_FIX_STATUSES = (IssueStatus.ACCEPTED, IssueStatus.RECTIFYING, IssueStatus.REOPENED)


class SiteIssue(models.Model):
    """A problem a resident supervisor saw on site (监督反馈)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="site_issues", verbose_name=_("project")
    )
    reporter = models.ForeignKey(
        Supervisor, on_delete=models.PROTECT, related_name="site_issues", verbose_name=_("reported by")
    )
    category = models.CharField(_("category"), max_length=16, choices=IssueCategory.choices)
    severity = models.CharField(
        _("severity"), max_length=16, choices=IssueSeverity.choices, default=IssueSeverity.GENERAL
    )
    description = models.TextField(_("what is wrong"), max_length=2000)
    location = models.CharField(_("where on site"), max_length=200, help_text=_("Building and unit, e.g. 3幢2单元"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField(_("status"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.SUBMITTED)
    deadline = models.DateTimeField(_("rectify by"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for not accepting"), blank=True)
    response = models.TextField(_("construction unit's answer"), blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The deadline the construction unit was last reminded of (site_issues_remind_deadlines): one
    # reminder per deadline, and a new deadline (reopened, accepted again) gets its own.
    deadline_reminded_for = models.DateTimeField(_("deadline reminded"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("site issue")
        verbose_name_plural = _("site issues")
        indexes = [models.Index(fields=["project", "status"]), models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} · {self.project}"

    def clean(self) -> None:
        if self.deadline and self.created_at and self.deadline <= self.created_at:
            raise ValidationError(
                {
                    "deadline": _("The deadline to rectify must come after the issue was reported (%(reported)s).")
                    % {"reported": f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"}
                }
            )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and self.status in AWAITING_FIX_STATUSES and self.deadline < timezone.now())

    @property
    def reporter_public_name(self) -> str:
        if self.reporter.show_name_publicly:
            return self.reporter.display_name
        return str(_("Resident supervisor"))


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("As reported")
    AFTER = "after", _("After rectification")


# Private files (renovation/supervision/private_files.py): served at /files/<kind>/<photo id>/.
PHOTO_FILE_KIND = "site-issue-photo"
THUMBNAIL_FILE_KIND = "site-issue-thumbnail"


def _photo_path(instance: SiteIssuePhoto, filename: str) -> str:
    return f"site-issues/{timezone.now():%Y/%m}/{filename}"


class SiteIssuePhoto(models.Model):
    """A photo as stored: upright, re-encoded, stripped of all metadata (GPS above all)."""

    issue = models.ForeignKey(SiteIssue, on_delete=models.CASCADE, related_name="photos", verbose_name=_("issue"))
    kind = models.CharField(_("kind"), max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(
        _("photo"), upload_to=_photo_path, storage=private_storage, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_photo_path, storage=private_storage)
    # Copies in the public storage, made once the issue is public (services.site_issue_photos_publish):
    # the public page then links plain /media/ URLs that nginx or the CDN serve without Django.
    public_image = models.FileField(
        _("public copy of the photo"), upload_to="issue-photos/", blank=True, editable=False
    )
    public_thumbnail = models.FileField(
        _("public copy of the thumbnail"), upload_to="issue-photos/", blank=True, editable=False
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords(excluded_fields=["public_image", "public_thumbnail"])

    class Meta:
        ordering = ["issue", "kind", "sort_order", "pk"]
        verbose_name = _("site issue photo")
        verbose_name_plural = _("site issue photos")

    def __str__(self) -> str:
        return f"{self.issue} · {self.get_kind_display()} {self.sort_order + 1}"

    # The public copy once there is one; until then the permission-checked view (which also
    # answers everyone for a public issue whose copies are not made yet).
    @property
    def image_url(self) -> str:
        return self.public_image.url if self.public_image else file_url(PHOTO_FILE_KIND, self.pk)

    @property
    def thumbnail_url(self) -> str:
        return self.public_thumbnail.url if self.public_thumbnail else file_url(THUMBNAIL_FILE_KIND, self.pk)


class SiteIssueTransition(models.Model):
    """One step of an issue's workflow: who moved it, when, from what to what, and why."""

    issue = models.ForeignKey(SiteIssue, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("issue"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=IssueStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=IssueStatus.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["issue", "created_at", "pk"]
        verbose_name = _("site issue step")
        verbose_name_plural = _("site issue steps")

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.from_status or '∅'} → {self.to_status}"
