"""Consultation (改不改、改什么、怎么改、如何管): the household register, intents, decision items,
the 三审两公开一备案 deliberations, and satisfaction ratings after acceptance.

Households' contact details are personal data: they are shown to street and bureau staff only,
never on a public page or in an export meant for the public.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from renovation.files.storage import private_storage
from renovation.projects.models import WorkCategory

# Mainland mobile numbers or landlines (area code optional), digits and one dash.
PHONE_VALIDATOR = RegexValidator(
    r"^(1[3-9]\d{9}|(0\d{2,3}-?)?\d{7,8})$",
    _("Enter a mobile number (11 digits) or a landline such as 0577-65812345."),
)
SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Channel(models.TextChoices):
    PAPER = "paper", _("Paper letter")
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")


class Household(models.Model):
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", on_delete=models.PROTECT, related_name="households", verbose_name=_("neighbourhood")
    )
    building = models.CharField(_("building"), max_length=16, help_text=_("e.g. 3 (幢)"))
    unit = models.CharField(
        pgettext_lazy("household address", "unit"),
        max_length=16,
        blank=True,
        help_text=_("e.g. 2 (单元); empty if none"),
    )
    room = models.CharField(_("room"), max_length=16, help_text=_("e.g. 301"))
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[PHONE_VALIDATOR])
    # Set only by staff after checking who the person is: a linked account speaks for the household.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("resident account"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["neighbourhood", "building", "unit", "room"]
        verbose_name = _("household")
        # Not the count of households on a neighbourhood (户数): the register's list of them.
        verbose_name_plural = pgettext_lazy("register", "households")
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "building", "unit", "room"],
                name="household_unique_address",
                violation_error_message=_(
                    "This neighbourhood already has a household at this building, unit and room."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        """ "3幢2单元301" — for staff screens only."""
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}幢{unit}{self.room}"


class ConsultationRule(models.Model):
    """How many households must agree before a project may be approved (default two thirds)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="consultation_rule", verbose_name=_("project")
    )
    threshold_numerator = models.PositiveSmallIntegerField(_("threshold numerator"), default=2)
    threshold_denominator = models.PositiveSmallIntegerField(_("threshold denominator"), default=3)
    # The date residents are told to answer by; answers dated later are refused.
    intent_closes_on = models.DateField(_("intents collected until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation rule")
        verbose_name_plural = _("consultation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_numerator__gte=1) & Q(threshold_numerator__lte=models.F("threshold_denominator")),
                name="consultationrule_threshold_fraction",
                violation_error_message=_("The threshold must be a fraction between 0 and 1, e.g. 2/3."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold_numerator}/{self.threshold_denominator}"


class IntentChoice(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")


class Intent(models.Model):
    """A household's current answer to 改不改; a re-record replaces it (history keeps the old)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="intents", verbose_name=_("project")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="intents", verbose_name=_("household")
    )
    choice = models.CharField(_("intent"), max_length=16, choices=IntentChoice.choices)
    responded_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "household"]
        verbose_name = _("intent")
        verbose_name_plural = _("intents")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"],
                name="intent_one_per_household",
                violation_error_message=_("This household's intent is already recorded for the project."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_choice_display()}"


class DecisionItem(models.Model):
    """议题: a question residents answer (what to renovate, how it is managed afterwards)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="decision_items", verbose_name=_("project")
    )
    question = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)
    opens_on = models.DateField(_("voting opens"))
    closes_on = models.DateField(_("voting closes"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "opens_on", "pk"]
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="decisionitem_closes_after_opening",
                violation_error_message=_("Voting cannot close before it opens."),
            )
        ]

    def __str__(self) -> str:
        return self.question

    def is_open(self, today: object = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class DecisionOption(models.Model):
    item = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="options", verbose_name=_("item"))
    label = models.CharField(_("option"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "sort_order", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


class Vote(models.Model):
    item = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="votes", verbose_name=_("item"))
    option = models.ForeignKey(DecisionOption, on_delete=models.PROTECT, related_name="votes", verbose_name=_("option"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="votes", verbose_name=_("household")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    cast_on = models.DateField(_("date"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "household"],
                name="vote_one_per_household",
                violation_error_message=_("This household has already voted on this item."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.option}"


class SatisfactionRating(models.Model):
    """满意度: a household's rating of the finished renovation. Comments are public, identity is not."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="satisfaction_ratings", verbose_name=_("project")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="satisfaction_ratings", verbose_name=_("household")
    )
    overall = models.PositiveSmallIntegerField(_("overall (1-5)"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    rated_on = models.DateField(_("date"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-rated_on", "-pk"]
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"],
                name="satisfaction_one_per_household",
                violation_error_message=_("This household has already rated the project."),
            ),
            models.CheckConstraint(
                condition=Q(overall__gte=1) & Q(overall__lte=5),
                name="satisfaction_overall_1_5",
                violation_error_message=_("Scores go from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.overall}"


class CategoryScore(models.Model):
    rating = models.ForeignKey(
        SatisfactionRating, on_delete=models.CASCADE, related_name="scores", verbose_name=_("rating")
    )
    category = models.CharField(_("category"), max_length=16, choices=WorkCategory.choices)
    score = models.PositiveSmallIntegerField(_("score (1-5)"), validators=SCORE_VALIDATORS)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category score")
        verbose_name_plural = _("category scores")
        constraints = [
            models.UniqueConstraint(fields=["rating", "category"], name="categoryscore_one_per_category"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="categoryscore_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.score}"


class HouseholdImport(models.Model):
    """An upload of a household register workbook and what became of it (the worker imports it:
    renovation/consultation/tasks.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Checking and importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Not imported: errors found")
        FAILED = "failed", _("Interrupted")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # The register holds personal data: the upload is kept (private, unguessable name) only until
    # its import has an answer, and the marked-up copy (errors only) is served through the
    # staff-only view until IMPORT_FILES_KEEP_DAYS after the answer (the clock deletes both).
    workbook = models.FileField(
        _("workbook"), upload_to="household-imports/%Y/%m/", storage=private_storage, blank=True
    )
    annotated = models.FileField(
        _("workbook with errors marked"), upload_to="household-imports/%Y/%m/", storage=private_storage, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("import result"), default=dict, blank=True)
    job_id = models.UUIDField(_("job"), null=True, blank=True)
    # When IMPORT_FILES_KEEP_DAYS after the answer the clock deleted the files (renovation/jobs/retention.py).
    files_deleted_at = models.DateTimeField(_("files deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("household register import")
        verbose_name_plural = _("household register imports")

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


from .deliberation_models import Deliberation, DeliberationStage, DeliberationStatus, Outcome, Stage  # noqa: E402,F401
from .join_models import HouseholdMember, JoinAttempt, JoinCode  # noqa: E402,F401
