"""What a household decides on: the works, the cost and the residents' share, the schedule, the
documents and the deadline, read before the question 改不改. The figures come from the same
selectors and fields as the public project page, so the two never disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from renovation.projects.models import Project
from renovation.projects.selectors import BUDGET_SOURCE_FIELDS, CategoryGroup, work_items_by_category

from .deliberation_models import DeliberationStage
from .models import ConsultationRule
from .tally import Tally

ZERO = Decimal("0")


@dataclass(frozen=True)
class ProjectDocument:
    title: str
    url: str
    when: date | None = None
    kind: str = ""


# The seam for the project's documents: each source gives the documents it holds for a project.
# Consultation gives the deliberation's attached minutes and scans; the CMS (a documents block of
# 改造方案, 设计图 on the project page) appends its own source from its AppConfig.ready(), so this
# app never imports cms (STYLE 6 and 17).
DocumentSource = Callable[[Project], list[ProjectDocument]]
DOCUMENT_SOURCES: list[DocumentSource] = []


def deliberation_documents(project: Project) -> list[ProjectDocument]:
    """The attachments of the deliberation stages (minutes, scans): already public on the project page."""
    stages = (
        DeliberationStage.objects.filter(deliberation__project=project)
        .exclude(attachment="")
        .select_related("deliberation")
        .order_by("held_on", "pk")
    )
    return [
        ProjectDocument(
            title=f"{stage.deliberation.subject} · {stage.get_stage_display()}",
            url=stage.attachment.url,
            when=stage.held_on,
            kind=_("Minutes (attachment)"),
        )
        for stage in stages
    ]


DOCUMENT_SOURCES.append(deliberation_documents)


def project_documents(project: Project) -> list[ProjectDocument]:
    return [document for source in DOCUMENT_SOURCES for document in source(project)]


@dataclass
class HouseholdBrief:
    groups: list[CategoryGroup]
    budget_sources: list[tuple[str, Decimal]]
    budget_total: Decimal
    resident_share: Decimal
    resident_percent: Decimal | None
    per_household: Decimal | None  # the residents' share spread evenly over the households counted
    planned_start: date | None
    planned_end: date | None
    closes_on: date | None
    documents: list[ProjectDocument] = field(default_factory=list)

    @property
    def has_cost(self) -> bool:
        return self.budget_total > ZERO


def household_brief(project: Project, tally: Tally) -> HouseholdBrief:
    """A fixed number of queries: work items, the rule, each document source once."""
    total = project.budget_total
    share = project.budget_resident
    rule = ConsultationRule.objects.filter(project=project).first()
    return HouseholdBrief(
        groups=work_items_by_category(project),
        # The labels and amounts of the project page's 'Budget by source' (cms ProjectPage).
        budget_sources=[
            (str(project._meta.get_field(name).verbose_name), getattr(project, name)) for name in BUDGET_SOURCE_FIELDS
        ],
        budget_total=total,
        resident_share=share,
        resident_percent=_percent(share, total),
        per_household=(share / tally.households).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        if share and tally.households
        else None,
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        closes_on=rule.intent_closes_on if rule else None,
        documents=project_documents(project),
    )


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
