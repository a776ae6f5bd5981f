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

from renovation.public.models import StoredRendering

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


class StreetLeagueSummary(StoredRendering):
    """The public league table of one plan year (/streets/: the year switch, the table, its charts
    and the frozen months), kept per language as the HTML it renders to, so the page inserts it
    instead of reading every project, site issue and rating of the plan year (stored.py).

    Never a source of a figure: a change the page shows bumps ``generation`` right after its
    commit, a job renders it again from the selectors after the commit, and the page renders live
    while it is missing, stale, of another ``version`` or ``build``, past ``valid_until`` or not
    signed by this site. Its fields bear the names of the home page's summary
    (cms.HomePublicSummary). A derived rendering, so it keeps no history."""

    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    language = models.CharField(_("language"), max_length=16)
    # The plan year the page shows when none (or one without projects) is asked for, as of the day
    # it was built (this year's plan, else the latest past one).
    shown_by_default = models.BooleanField(_("shown by default"), default=False)
    version = models.PositiveSmallIntegerField(_("version"))
    # The code and templates that rendered it (a deploy that changes them makes it stale).
    build = models.CharField(_("build"), max_length=64, blank=True)
    # The page's HTML and the plan years, as JSON text: written and read by stored.py only, and
    # shown only when ``signature`` (an HMAC with the site's key) matches.
    content = models.TextField(_("content"), blank=True)
    signature = models.CharField(_("signature"), max_length=64, blank=True)
    # generation, built_generation, built_at and valid_until (the next midnight after it was built:
    # the table counts days to the day) come from StoredRendering.

    class Meta:
        verbose_name = _("street league summary")
        verbose_name_plural = _("street league summaries")
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "language"], name="street_league_summary_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_year} · {self.language}"
