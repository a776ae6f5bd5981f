"""What each screen of the consultation desk shows, read at a fixed number of queries: the
overview's counts and next actions, and the deliberations with their next stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from renovation.projects.models import COMPLETED_STATUSES, Project, ProjectStatus

from . import selectors
from .deliberation_models import Deliberation, DeliberationStatus, Stage
from .deliberation_services import WORKS_STARTED, next_stage
from .models import Channel, ConsultationRule, Intent
from .tally import Tally


@dataclass(frozen=True)
class Task:
    key: str
    label: Promise
    url_name: str


TASKS = (
    Task("overview", gettext_lazy("Overview"), "consultation_desk"),
    Task("intents", gettext_lazy("Intents and threshold"), "consultation_desk_intents"),
    Task("letters", gettext_lazy("Paper letters"), "consultation_desk_letters"),
    Task("decisions", gettext_lazy("Decision items"), "consultation_desk_decisions"),
    Task("deliberations", gettext_lazy("Deliberations"), "consultation_desk_deliberations"),
    Task("satisfaction", gettext_lazy("Satisfaction"), "consultation_desk_satisfaction"),
)
TASK_URL = {task.key: task.url_name for task in TASKS}


def task_url(task: str, project: Project) -> str:
    return reverse(TASK_URL[task], args=[project.pk])


def task_nav(project: Project, current: str) -> list[dict[str, Any]]:
    completed = project.status in COMPLETED_STATUSES
    return [
        {"label": task.label, "url": task_url(task.key, project), "current": task.key == current}
        for task in TASKS
        # Ratings are collected after acceptance: before it the screen has nothing to do.
        if task.key != "satisfaction" or completed
    ]


def deliberations_with_next_stage(project: Project) -> list[Deliberation]:
    """Each deliberation with ``expected`` (the label of the stage that must come next, or None)."""
    deliberations = list(selectors.deliberations_with_stages(project))
    for deliberation in deliberations:
        current = {stage.stage for stage in deliberation.stages.all() if stage.round == deliberation.round}
        expected = next_stage(deliberation, current)
        deliberation.expected_code = expected
        deliberation.expected = Stage(expected).label if expected else None
    return deliberations


def intents_by_channel(project: Project) -> list[tuple[str, int]]:
    counts = dict(
        Intent.objects.filter(project=project).values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    return [(str(label), counts.get(value, 0)) for value, label in Channel.choices]


@dataclass(frozen=True)
class NextAction:
    text: str
    url: str
    label: str


def next_actions(
    project: Project, tally: Tally, decisions: list[Any], deliberations: list[Deliberation]
) -> list[NextAction]:
    """What the desk should do next for this project, most pressing first."""
    actions: list[NextAction] = []
    consulting = project.status == ProjectStatus.CONSULTING
    if project.status in (ProjectStatus.PROPOSED, ProjectStatus.CONSULTING) and not tally.from_register:
        actions.append(
            NextAction(
                _("The household register is incomplete: import it before counting answers."),
                reverse("consultation_register_import"),
                _("Import household register"),
            )
        )
    if consulting:
        missing = tally.households - tally.responded
        if missing > 0:
            actions.append(
                NextAction(
                    ngettext(
                        "%(count)s household has not answered yet.",
                        "%(count)s households have not answered yet.",
                        missing,
                    )
                    % {"count": missing},
                    task_url("letters", project),
                    _("Enter paper letters"),
                )
            )
        if not tally.met:
            short = max(tally.needed - tally.agree, 0)
            actions.append(
                NextAction(
                    ngettext(
                        "%(count)s more household must agree to reach the threshold.",
                        "%(count)s more households must agree to reach the threshold.",
                        short,
                    )
                    % {"count": short},
                    task_url("intents", project),
                    _("Record an intent"),
                )
            )
        rule = ConsultationRule.objects.filter(project=project).first()
        if rule is None or rule.intent_closes_on is None:
            actions.append(
                NextAction(
                    _("Residents are not told by when to answer."),
                    task_url("intents", project),
                    _("Set the deadline"),
                )
            )
    for result in decisions:
        if result.is_open:
            actions.append(
                NextAction(
                    _("Voting on “%(question)s” is open until %(day)s (%(count)s votes).")
                    % {
                        "question": result.item.question,
                        "day": result.item.closes_on.isoformat(),
                        "count": result.total,
                    },
                    task_url("decisions", project),
                    _("Enter a paper ballot"),
                )
            )
    for deliberation in deliberations:
        if deliberation.expected:
            text = _("“%(subject)s”: next stage %(stage)s.") % {
                "subject": deliberation.subject,
                "stage": deliberation.expected,
            }
            actions.append(NextAction(text, task_url("deliberations", project), _("Record stage")))
        elif deliberation.status == DeliberationStatus.APPROVED:
            if project.status in WORKS_STARTED and not deliberation.implementation_published_at:
                text = _("“%(subject)s”: make the implementation public.") % {"subject": deliberation.subject}
            else:
                text = _("“%(subject)s”: approved, to be filed with the street office.") % {
                    "subject": deliberation.subject
                }
            actions.append(NextAction(text, task_url("deliberations", project), _("Deliberations")))
    if project.status in COMPLETED_STATUSES:
        actions.append(
            NextAction(
                _("Collect the households' satisfaction."),
                task_url("satisfaction", project),
                _("Enter a paper satisfaction form"),
            )
        )
    return actions
