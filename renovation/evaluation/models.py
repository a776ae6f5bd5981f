"""The monthly evaluation of the streets (月评价), frozen at each month's end.

Like a quarterly disclosure (``finance.QuarterlyDisclosure``) it is written once, by
``services.monthly_evaluations_freeze``, and never recomputed: what the city published for a month
stays what it published, whatever is corrected later.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def _figure(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=8, decimal_places=1, null=True, blank=True)


class MonthlyEvaluation(models.Model):
    """One street's figures for one plan year, as they stood on the last day of one month."""

    street = models.ForeignKey(
        "places.Street", on_delete=models.PROTECT, related_name="monthly_evaluations", verbose_name=_("street")
    )
    plan_year = models.PositiveSmallIntegerField(_("plan year"), validators=YEAR_VALIDATORS)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    planned = models.PositiveIntegerField(_("projects planned"))
    started = models.PositiveIntegerField(_("projects started"))
    completed = models.PositiveIntegerField(_("projects completed"))
    on_time_share = _figure(_("completed on time (%)"))
    average_delay_days = _figure(_("average delay (days)"))
    median_days_to_accept = _figure(_("median days to accept a site issue"))
    median_days_to_rectify = _figure(_("median days to rectify a site issue"))
    satisfaction = _figure(_("satisfaction (1-5)"))
    ratings = models.PositiveIntegerField(_("satisfaction ratings"))
    frozen_at = models.DateTimeField(_("frozen"), default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["frozen_at"])

    class Meta:
        ordering = ["-year", "-month", "street__name"]
        verbose_name = _("monthly evaluation")
        verbose_name_plural = _("monthly evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "plan_year", "year", "month"],
                name="evaluation_once_per_street_plan_month",
                violation_error_message=_("This month has already been evaluated for this street and plan year."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1) & models.Q(month__lte=12),
                name="evaluation_month_1_12",
                violation_error_message=_("A month is 1 to 12."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.street} · {self.plan_year} · {self.label}"

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)
