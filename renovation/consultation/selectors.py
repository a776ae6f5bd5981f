"""Reads for consultation pages and exports, each at a fixed number of queries.

What the public sees never carries a household's identity: counts, shares, averages and comments
only. Building/unit/room are for staff; names and phones for staff screens, never exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.changelog.paging import HistorySource, history_model
from renovation.changelog.selectors import ChangeEntry, FieldChange, history_entries, ordered_history
from renovation.projects.models import COMPLETED_STATUSES, Project, ProjectStatus, WorkCategory

from .deliberation_models import Deliberation, DeliberationStage, DeliberationStatus, Outcome
from .models import (
    CategoryScore,
    ConsultationRule,
    DecisionItem,
    DecisionOption,
    Household,
    HouseholdImport,
    Intent,
    SatisfactionRating,
)
from .tally import Tally, intent_tally

ONE_DECIMAL = Decimal("0.1")


def households_manageable_by(user: Any) -> QuerySet[Household]:
    queryset = Household.objects.select_related("neighbourhood__community__street", "resident")
    if is_bureau(user):
        return queryset
    return queryset.filter(neighbourhood__community__street_id=staff_street_id(user))


def intents_manageable_by(user: Any) -> QuerySet[Intent]:
    queryset = Intent.objects.select_related("household", "project", "recorded_by").order_by(
        "project", "household__building", "household__unit", "household__room"
    )
    if is_bureau(user):
        return queryset
    return queryset.filter(project__neighbourhood__community__street_id=staff_street_id(user))


def consultation_projects(user: Any) -> QuerySet[Project]:
    queryset = Project.objects.select_related("neighbourhood__community__street").order_by("-plan_year", "code")
    if is_bureau(user):
        return queryset
    return queryset.filter(neighbourhood__community__street_id=staff_street_id(user))


# --- decision items ------------------------------------------------------------------------


@dataclass
class OptionResult:
    label: str
    votes: int
    percent: Decimal


@dataclass
class DecisionResult:
    item: DecisionItem
    total: int
    options: list[OptionResult]
    is_open: bool


def decision_results(project: Project, today: date | None = None) -> list[DecisionResult]:
    today = today or timezone.localdate()
    options = DecisionOption.objects.annotate(vote_count=Count("votes")).order_by("sort_order", "pk")
    items = DecisionItem.objects.filter(project=project).prefetch_related(Prefetch("options", queryset=options))
    results = []
    for item in items:
        total = sum(option.vote_count for option in item.options.all())
        results.append(
            DecisionResult(
                item=item,
                total=total,
                options=[
                    OptionResult(option.label, option.vote_count, _share(option.vote_count, total))
                    for option in item.options.all()
                ],
                is_open=item.is_open(today),
            )
        )
    return results


def _share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0")
    return (Decimal(part) * 100 / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


# --- deliberation notices (公开) -------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    when: date
    subject: str
    title: str
    detail: str = ""
    attachment_url: str = ""


def deliberations_with_stages(project: Project) -> QuerySet[Deliberation]:
    stages = DeliberationStage.objects.order_by("round", "held_on", "pk")
    return Deliberation.objects.filter(project=project).prefetch_related(Prefetch("stages", queryset=stages))


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# The deliberation's public steps that carry their own date, in the order the change log prefers.
DELIBERATION_EVENTS = ("filed_on", "implementation_published_at")


def deliberation_event_day(deliberation: Any, event: str) -> date | None:
    """The day a deliberation's step happened, for the notices and the change log alike (a
    deliberation or one of its history rows)."""
    value = getattr(deliberation, event)
    return _local_day(value) if isinstance(value, datetime) else value


def _deliberation_occurred(record: Any, changes: list[FieldChange]) -> date | None:
    changed = {change.field for change in changes}
    for event in DELIBERATION_EVENTS:
        if event in changed and getattr(record, event):
            return deliberation_event_day(record, event)
    return None


def deliberation_notices(project: Project) -> list[Notice]:
    """Every public step of every deliberation, oldest first: 议事公开, each review, 实施公开, 备案."""
    notices: list[Notice] = []
    for deliberation in deliberations_with_stages(project):
        subject = deliberation.subject
        notices.append(
            Notice(
                _local_day(deliberation.published_at),
                subject,
                _("Deliberation made public (议事公开)"),
                deliberation.description,
            )
        )
        for stage in deliberation.stages.all():
            outcome = _("approved") if stage.outcome == Outcome.APPROVED else _("rejected, back to the committee")
            notices.append(
                Notice(
                    stage.held_on,
                    subject,
                    f"{stage.get_stage_display()} · {outcome}",
                    stage.minutes,
                    stage.attachment.url if stage.attachment else "",
                )
            )
        if deliberation.implementation_published_at:
            notices.append(
                Notice(
                    deliberation_event_day(deliberation, "implementation_published_at"),
                    subject,
                    _("Implementation made public (实施公开)"),
                )
            )
        if deliberation.status == DeliberationStatus.FILED and deliberation.filed_on:
            notices.append(
                Notice(
                    deliberation_event_day(deliberation, "filed_on"),
                    subject,
                    _("Filed with %(office)s (备案)") % {"office": deliberation.filed_with},
                )
            )
    notices.sort(key=lambda notice: notice.when)
    return notices


# --- satisfaction --------------------------------------------------------------------------


@dataclass
class SatisfactionSummary:
    count: int
    average: Decimal | None
    by_category: list[tuple[str, Decimal]] = field(default_factory=list)
    comments: list[tuple[date, int, str]] = field(default_factory=list)
    households: int = 0
    projects: int = 1  # projects the figures cover (the home page's overview spans many)

    @property
    def response_percent(self) -> Decimal:
        return _share(self.count, self.households)

    @property
    def average_percent(self) -> Decimal:
        """The average as a share of 5, for a bar."""
        return (self.average or Decimal("0")) * 20


def _round(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _category_averages(ratings: QuerySet[SatisfactionRating]) -> list[tuple[str, Decimal]]:
    labels = dict(WorkCategory.choices)
    rows = (
        CategoryScore.objects.filter(rating__in=ratings)
        .values("category")
        .annotate(average=Avg("score"))
        .order_by("category")
    )
    order = list(WorkCategory.values)
    rows = sorted(rows, key=lambda row: order.index(row["category"]))
    return [(labels[row["category"]], _round(row["average"])) for row in rows]


def satisfaction_summary(project: Project, tally: Tally | None = None, comments: int = 10) -> SatisfactionSummary:
    ratings = SatisfactionRating.objects.filter(project=project)
    figures = ratings.aggregate(count=Count("pk"), average=Avg("overall"))
    latest = ratings.exclude(comment="").order_by("-rated_on", "-pk").values_list("rated_on", "overall", "comment")
    return SatisfactionSummary(
        count=figures["count"],
        average=_round(figures["average"]),
        by_category=_category_averages(ratings) if figures["count"] else [],
        comments=list(latest[:comments]) if figures["count"] else [],
        households=(tally or intent_tally(project)).households,
    )


def satisfaction_overview(plan_year: int | None = None) -> SatisfactionSummary:
    """The home page's figures across the rated projects of a plan year (all years when none is
    given); no comments: those stay on projects."""
    ratings = SatisfactionRating.objects.filter(project__status__in=COMPLETED_STATUSES)
    if plan_year is not None:
        ratings = ratings.filter(project__plan_year=plan_year)
    figures = ratings.aggregate(count=Count("pk"), average=Avg("overall"), projects=Count("project", distinct=True))
    return SatisfactionSummary(
        count=figures["count"],
        average=_round(figures["average"]),
        by_category=_category_averages(ratings) if figures["count"] else [],
        projects=figures["projects"],
    )


# --- the project page's section ------------------------------------------------------------


def project_consultation(project: Project) -> dict[str, Any]:
    """Everything the public project page shows about consultation, in a fixed number of queries."""
    tally = intent_tally(project)
    show_satisfaction = project.status in COMPLETED_STATUSES
    decisions = decision_results(project)
    collecting = project.status == ProjectStatus.CONSULTING
    return {
        "tally": tally,
        # Before consultation starts there is nothing to count yet; say so rather than show zeros.
        "started": project.status != ProjectStatus.PROPOSED or tally.responded > 0,
        "collecting": collecting,
        # Whether a linked resident has anything to do on the household page.
        "residents_act": collecting or show_satisfaction or any(result.is_open for result in decisions),
        "decisions": decisions,
        "notices": deliberation_notices(project),
        "satisfaction": satisfaction_summary(project, tally) if show_satisfaction else None,
    }


# --- staff export ----------------------------------------------------------------------------


def satisfaction_export_rows(user: Any, project: Project | None = None) -> QuerySet:
    """Ratings in the user's scope with their per-category scores as columns. Staff see the
    household's address (to follow up), never its contact name or phone."""
    ratings = SatisfactionRating.objects.filter(project__in=consultation_projects(user))
    if project is not None:
        ratings = ratings.filter(project=project)
    per_category = {
        f"score_{code}": Subquery(
            CategoryScore.objects.filter(rating=OuterRef("pk"), category=code).values("score")[:1],
            output_field=IntegerField(),
        )
        for code in WorkCategory.values
    }
    return (
        ratings.annotate(**per_category)
        .values(
            "project__code",
            "project__name",
            "household__building",
            "household__unit",
            "household__room",
            "overall",
            *per_category,
            "comment",
            "channel",
            "rated_on",
        )
        .order_by("project__code", "household__building", "household__unit", "household__room")
    )


# --- public change log -----------------------------------------------------------------------

RULE_PUBLIC_FIELDS = ("threshold_numerator", "threshold_denominator")
DELIBERATION_PUBLIC_FIELDS = ("subject", "status", "implementation_published_at", "filed_on", "filed_with")
DECISION_PUBLIC_FIELDS = ("question", "opens_on", "closes_on")


def consultation_change_log(project: Project) -> list[ChangeEntry]:
    """Changes to the public consultation rules and records of a project (three queries): a
    threshold changed mid-way, a deliberation's status, a vote's dates. Never households. The
    public pages read the same rules paged in SQL (``consultation_change_sources``)."""
    rule = history_entries(
        ordered_history(ConsultationRule.history.filter(project_id=project.pk)),
        fields=RULE_PUBLIC_FIELDS,
        subject=lambda record: str(_("Approval threshold")),
    )
    deliberations = history_entries(
        ordered_history(Deliberation.history.filter(project_id=project.pk)),
        fields=DELIBERATION_PUBLIC_FIELDS,
        subject=lambda record: record.subject,
        formatter=_public_value,
        occurred=_deliberation_occurred,
    )
    items = history_entries(
        ordered_history(DecisionItem.history.filter(project_id=project.pk)),
        fields=DECISION_PUBLIC_FIELDS,
        subject=lambda record: record.question,
    )
    return rule + deliberations + items


def consultation_change_sources(project: Project) -> list[HistorySource]:
    """The consultation's part of the public change log, paged in the database (changelog.paging)."""
    return [
        HistorySource(
            model=history_model(ConsultationRule),
            filters={"project_id": project.pk},
            fields=RULE_PUBLIC_FIELDS,
            subject=lambda record: str(_("Approval threshold")),
        ),
        HistorySource(
            model=history_model(Deliberation),
            filters={"project_id": project.pk},
            fields=DELIBERATION_PUBLIC_FIELDS,
            subject=lambda record: record.subject,
            formatter=_public_value,
            events=DELIBERATION_EVENTS,
        ),
        HistorySource(
            model=history_model(DecisionItem),
            filters={"project_id": project.pk},
            fields=DECISION_PUBLIC_FIELDS,
            subject=lambda record: record.question,
        ),
    ]


def _public_value(model: Any, name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d")
    if name == "status" and value:
        return DeliberationStatus(value).label
    return "—" if value in (None, "") else value


def resident_projects(user: Any) -> QuerySet[Project]:
    """Projects of the neighbourhoods where staff linked a household to this account."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    neighbourhoods = Household.objects.filter(Q(resident=user) | Q(members__user=user)).values("neighbourhood_id")
    return (
        Project.objects.filter(neighbourhood_id__in=neighbourhoods)
        .exclude(status=ProjectStatus.PROPOSED)
        .select_related("neighbourhood")
        .order_by("-plan_year", "code")
    )


def household_imports_visible_to(actor: Any) -> QuerySet:
    """Register imports a staff member may follow: street staff their own uploads (the files hold
    personal data), the bureau all of them; nobody else any."""
    records = HouseholdImport.objects.select_related("uploaded_by")
    if is_bureau(actor):
        return records
    if not getattr(actor, "is_authenticated", False):
        return records.none()
    return records.filter(uploaded_by=actor)
