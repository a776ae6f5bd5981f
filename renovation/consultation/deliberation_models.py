"""三审两公开一备案: a major decision passes three reviews in a fixed order, is made public when the
deliberation starts (议事公开) and when the works start (实施公开), and is filed (备案) with the
street office. Re-exported by ``models``."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Stage(models.TextChoices):
    COMMITTEE_REVIEW = "committee_review", _("Owners' committee deliberation (业委会审议)")
    PARTY_REVIEW = "party_review", _("Party organisation review (小区党组织审核)")
    ASSEMBLY_APPROVAL = "assembly_approval", _("Owners' representative assembly approval (业主代表大会审定)")


# The order is the rule itself: no stage may be skipped or taken out of turn.
STAGE_ORDER = (Stage.COMMITTEE_REVIEW, Stage.PARTY_REVIEW, Stage.ASSEMBLY_APPROVAL)


class Outcome(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("deliberation outcome", "Approved")
    REJECTED = "rejected", pgettext_lazy("deliberation outcome", "Rejected")


class DeliberationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Under deliberation")
    APPROVED = "approved", pgettext_lazy("deliberation status", "Approved")
    FILED = "filed", _("Filed with the street office")


class Deliberation(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="deliberations", verbose_name=_("project")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("what is decided"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliberationStatus.choices, default=DeliberationStatus.IN_PROGRESS
    )
    # A rejection starts a new round at the first stage; earlier rounds' rows are kept.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    published_at = models.DateTimeField(_("deliberation made public"), default=timezone.now)
    implementation_published_at = models.DateTimeField(_("implementation made public"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    filed_with = models.CharField(_("filed with"), max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "published_at", "pk"]
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")

    def __str__(self) -> str:
        return self.subject


class DeliberationStage(models.Model):
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="stages", verbose_name=_("deliberation")
    )
    round = models.PositiveSmallIntegerField(_("round"))
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices)
    held_on = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    minutes = models.TextField(_("minutes"), blank=True)
    # Published on the project page: documents and scans only, never anything a browser would run.
    attachment = models.FileField(
        _("attachment"),
        upload_to="deliberations/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png", "doc", "docx"])],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deliberation", "round", "held_on", "pk"]
        verbose_name = _("deliberation stage")
        verbose_name_plural = _("deliberation stages")
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "round", "stage"],
                name="deliberationstage_once_per_round",
                violation_error_message=_("This stage has already been recorded in this round."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.deliberation} · {self.get_stage_display()}"
