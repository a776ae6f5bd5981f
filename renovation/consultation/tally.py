"""The intent tally of a project and the threshold it is measured against."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from renovation.projects.models import Project

from .models import ConsultationRule, Household, Intent, IntentChoice

DEFAULT_THRESHOLD = Fraction(2, 3)


@dataclass(frozen=True)
class Tally:
    households: int
    from_register: bool  # False: the register is empty or incomplete and the neighbourhood's figure is used
    agree: int
    disagree: int
    abstain: int
    threshold: Fraction

    @property
    def responded(self) -> int:
        return self.agree + self.disagree + self.abstain

    @property
    def agree_percent(self) -> Decimal:
        """Agreeing households as a share of all households (not of those who answered)."""
        if not self.households:
            return Decimal("0")
        return (Decimal(self.agree) * 100 / self.households).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def responded_percent(self) -> Decimal:
        if not self.households:
            return Decimal("0")
        return (Decimal(self.responded) * 100 / self.households).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def threshold_percent(self) -> Decimal:
        return (Decimal(self.threshold.numerator) * 100 / self.threshold.denominator).quantize(Decimal("0.1"))

    @property
    def threshold_label(self) -> str:
        return f"{self.threshold.numerator}/{self.threshold.denominator}"

    @property
    def needed(self) -> int:
        """Agreeing households the threshold asks for (rounded up: 2/3 of 483 is 322)."""
        return -(-self.households * self.threshold.numerator // self.threshold.denominator)

    @property
    def met(self) -> bool:
        # Exact integer arithmetic: 322 of 483 meets two thirds, no rounding in between.
        return self.households > 0 and self.agree * self.threshold.denominator >= (
            self.households * self.threshold.numerator
        )


def project_threshold(project: Project) -> Fraction:
    rule = ConsultationRule.objects.filter(project=project).first()
    if rule is None:
        return DEFAULT_THRESHOLD
    return Fraction(rule.threshold_numerator, rule.threshold_denominator)


def _count(queryset: Any) -> Coalesce:
    counted = queryset.order_by().values(group=Value(1)).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def intent_tally(project: Project) -> Tally:
    """One query whatever the number of households: the register's size, the answers by choice
    and the project's rule come back with the project row."""
    intents = Intent.objects.filter(project=OuterRef("pk"))
    row = (
        Project.objects.filter(pk=project.pk)
        .select_related("neighbourhood", "consultation_rule")
        .annotate(
            # The project as given (a status change may come with a new neighbourhood, unsaved).
            registered=_count(Household.objects.filter(neighbourhood_id=project.neighbourhood_id)),
            agree=_count(intents.filter(choice=IntentChoice.AGREE)),
            disagree=_count(intents.filter(choice=IntentChoice.DISAGREE)),
            abstain=_count(intents.filter(choice=IntentChoice.ABSTAIN)),
        )
        .get()
    )
    rule = getattr(row, "consultation_rule", None)
    neighbourhood = row.neighbourhood if row.neighbourhood_id == project.neighbourhood_id else project.neighbourhood
    return Tally(
        # A register still being entered must not lower the bar: count the larger of the two.
        households=max(row.registered, neighbourhood.household_count or 0),
        from_register=bool(row.registered) and row.registered >= (neighbourhood.household_count or 0),
        agree=row.agree,
        disagree=row.disagree,
        abstain=row.abstain,
        threshold=Fraction(rule.threshold_numerator, rule.threshold_denominator) if rule else DEFAULT_THRESHOLD,
    )


def intent_tallies(projects: list[Project]) -> dict[int, Tally]:
    """The tally of many projects in three queries (the desk's list), not three per project.
    The projects must come with their neighbourhood loaded."""
    neighbourhood_ids = {project.neighbourhood_id for project in projects}
    registered = dict(
        Household.objects.filter(neighbourhood_id__in=neighbourhood_ids)
        .values("neighbourhood_id")
        .annotate(count=Count("pk"))
        .values_list("neighbourhood_id", "count")
    )
    counts = {
        row["project_id"]: row
        for row in Intent.objects.filter(project__in=projects)
        .values("project_id")
        .annotate(
            agree=Count("pk", filter=Q(choice=IntentChoice.AGREE)),
            disagree=Count("pk", filter=Q(choice=IntentChoice.DISAGREE)),
            abstain=Count("pk", filter=Q(choice=IntentChoice.ABSTAIN)),
        )
    }
    rules = {
        rule.project_id: Fraction(rule.threshold_numerator, rule.threshold_denominator)
        for rule in ConsultationRule.objects.filter(project__in=projects)
    }
    tallies = {}
    for project in projects:
        count = registered.get(project.neighbourhood_id, 0)
        row = counts.get(project.pk, {})
        tallies[project.pk] = Tally(
            households=max(count, project.neighbourhood.household_count or 0),
            from_register=bool(count) and count >= (project.neighbourhood.household_count or 0),
            agree=row.get("agree", 0),
            disagree=row.get("disagree", 0),
            abstain=row.get("abstain", 0),
            threshold=rules.get(project.pk, DEFAULT_THRESHOLD),
        )
    return tallies
