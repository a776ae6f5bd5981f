"""Scenes for page tests: a published project with households, intents, a vote, a deliberation
and ratings, all written through the services."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cms.services import project_page_ensure
from renovation.consultation import services
from renovation.projects.models import ProjectStatus
from tests.consultation.factories import HouseholdFactory
from tests.factories import NeighbourhoodFactory, ProjectFactory, WorkItemFactory

SECRET_NAMES = ("欧阳秘密", "司马隐私")
SECRET_PHONES = ("13912345678", "0577-87654321")


def consultation_scene(personas: Any, *, households: int, status: str = ProjectStatus.CONSULTING, code: str) -> Any:
    """A project page in street A with ``households`` registered households in their own
    neighbourhood, most of them having answered, voted and (once accepted) rated."""
    place = NeighbourhoodFactory(
        community__street=personas.street_a_place.community.street, name=f"小区{code}", household_count=households
    )
    project = ProjectFactory(neighbourhood=place, status=ProjectStatus.CONSULTING, code=code, slug=code.lower())
    WorkItemFactory(project=project, category="building")
    WorkItemFactory(project=project, category="greening")
    register = [
        HouseholdFactory(
            neighbourhood=place,
            building=f"{n // 20 + 1}",
            unit="1",
            room=f"{n % 20 + 101}",
            contact_name=SECRET_NAMES[n % 2],
            phone=SECRET_PHONES[n % 2],
        )
        for n in range(households)
    ]
    actor = personas.street_a
    today = timezone.localdate()
    answers = [(h, "agree" if n % 4 else "disagree") for n, h in enumerate(register)]
    services.intents_record_batch(actor=actor, project=project, answers=answers, channel="paper", responded_on=today)
    item = services.decision_item_create(
        actor=actor,
        project=project,
        question="是否加装电梯",
        options=["加装", "不加装"],
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=5),
    )
    options = list(item.options.all())
    for n, household in enumerate(register):
        services.vote_cast(actor=actor, item=item, household=household, option=options[n % 2], channel="paper")
    deliberation = services.deliberation_start(actor=actor, project=project, subject="电梯费用分摊方案")
    services.deliberation_stage_record(
        actor=actor,
        deliberation=deliberation,
        stage="committee_review",
        held_on=today,
        outcome="approved",
        minutes="一致同意",
    )
    if status != ProjectStatus.CONSULTING:
        project.status = status
        project.save()
        for n, household in enumerate(register):
            services.satisfaction_rate(
                actor=actor,
                project=project,
                household=household,
                overall=4 + n % 2,
                scores={"building": 5, "greening": 3},
                comment=f"楼道焕然一新{n}",
                channel="paper",
                rated_on=timezone.localdate(),
            )
    page = project_page_ensure(project=project)
    return project, page
