"""The gate before approval: a project is approved only when enough households agree."""

import pytest
from django.core.exceptions import ValidationError

from renovation.consultation.models import IntentChoice
from renovation.consultation.services import consultation_rule_set, intents_record_batch
from renovation.projects.models import ProjectStatus
from renovation.projects.services import project_update


def _answers(households, agree: int, disagree: int = 0):
    choices = [IntentChoice.AGREE] * agree + [IntentChoice.DISAGREE] * disagree
    return list(zip(households, choices, strict=False))


def _record(personas, project, households, agree, disagree=0):
    intents_record_batch(
        actor=personas.street_a,
        project=project,
        answers=_answers(households, agree, disagree),
        channel="paper",
        responded_on=project.planned_start,
    )


def test_it_refuses_approval_below_the_threshold_with_the_current_figures(personas, consulting, register):
    households = register(9)
    _record(personas, consulting, households, agree=5, disagree=2)
    with pytest.raises(ValidationError) as refused:
        project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.APPROVED})
    message = refused.value.message_dict["status"][0]
    assert "已同意 5 户" in message and "55.6%" in message and "2/3" in message and "6 户" in message
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.CONSULTING


def test_it_approves_at_exactly_two_thirds(personas, consulting, register):
    households = register(9)
    _record(personas, consulting, households, agree=6, disagree=3)
    project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.APPROVED})
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.APPROVED


def test_it_measures_against_all_households_not_only_those_who_answered(personas, consulting, register):
    households = register(12)
    _record(personas, consulting, households, agree=7)  # 7 of 7 answers, but 7 of 12 households
    with pytest.raises(ValidationError, match=r"已同意 7 户，占 58.3%（共 12 户）"):
        project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.APPROVED})


def test_it_uses_the_neighbourhoods_household_count_while_the_register_is_empty(personas, consulting):
    with pytest.raises(ValidationError) as refused:
        project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.APPROVED})
    assert "483" in refused.value.message_dict["status"][0]


def test_it_applies_a_per_project_threshold(personas, consulting, register):
    households = register(8)
    consultation_rule_set(actor=personas.street_a, project=consulting, numerator=3, denominator=4)
    _record(personas, consulting, households, agree=5)  # 62.5%: under 3/4
    with pytest.raises(ValidationError) as refused:
        project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.APPROVED})
    assert "3/4" in refused.value.message_dict["status"][0]
    consulting.refresh_from_db()
    _record(personas, consulting, households[5:], agree=1)  # 6 of 8 = 3/4 exactly
    project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.APPROVED})


def test_it_refuses_a_threshold_that_is_not_a_fraction(personas, consulting):
    with pytest.raises(ValidationError, match="门槛须为 0 到 1 之间的分数"):
        consultation_rule_set(actor=personas.street_a, project=consulting, numerator=4, denominator=3)


def test_it_leaves_other_status_changes_alone(personas, consulting):
    project_update(actor=personas.street_a, project=consulting, data={"status": ProjectStatus.PROPOSED})
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.PROPOSED


def test_it_shows_the_refusal_with_the_figures_in_the_project_admin(login, personas, consulting, register):
    from django.urls import reverse

    from tests.backoffice.test_project_admin import _edit_form

    households = register(3)
    _record(personas, consulting, households, agree=1, disagree=2)
    form = {**_edit_form(consulting), "status": "approved"}
    response = login(personas.street_a).post(reverse("project:edit", args=[consulting.pk]), form)
    assert response.status_code == 200
    assert "已同意 1 户，占 33.3%（共 3 户），未达到 2/3 门槛（需 2 户）。" in response.content.decode()
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.CONSULTING


def test_it_fixes_the_threshold_once_the_project_is_approved(personas, consulting):
    consulting.status = ProjectStatus.APPROVED
    consulting.save()
    with pytest.raises(ValidationError) as refused:
        consultation_rule_set(actor=personas.street_a, project=consulting, numerator=1, denominator=2)
    assert "立项前" in refused.value.messages[0]


def test_it_lets_only_the_streets_staff_set_the_threshold(personas, consulting):
    from django.core.exceptions import PermissionDenied

    for who in ("street_b", "resident"):
        with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
            consultation_rule_set(actor=getattr(personas, who), project=consulting, numerator=1, denominator=2)


def _move(personas, project, status):
    return project_update(actor=personas.street_a, project=project, data={"status": status})


def test_a_partly_entered_register_does_not_lower_the_bar(personas, consulting):
    from tests.consultation.factories import HouseholdFactory

    households = HouseholdFactory.create_batch(3, neighbourhood=personas.street_a_place)  # of 483 on paper
    _record(personas, consulting, households, agree=3)
    with pytest.raises(ValidationError) as refused:
        _move(personas, consulting, ProjectStatus.APPROVED)
    assert "共 483 户" in refused.value.message_dict["status"][0]


def test_a_suspension_is_no_way_round_the_residents_decision(personas, consulting, register):
    register(9)
    _move(personas, consulting, ProjectStatus.SUSPENDED)
    for later in (ProjectStatus.TENDERING, ProjectStatus.APPROVED):
        with pytest.raises(ValidationError, match="未达到 2/3 门槛"):
            _move(personas, consulting, later)
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.SUSPENDED


def test_an_approved_project_comes_back_from_a_suspension_without_being_asked_again(personas, consulting, register):
    households = register(9)
    _record(personas, consulting, households, agree=6)
    _move(personas, consulting, ProjectStatus.APPROVED)
    _move(personas, consulting, ProjectStatus.SUSPENDED)
    # Meanwhile the register grows: the decision taken stands.
    register(9)
    _move(personas, consulting, ProjectStatus.APPROVED)
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.APPROVED


def test_a_new_project_cannot_start_past_the_residents_decision(personas):
    from renovation.projects.services import project_create

    with pytest.raises(ValidationError) as refused:
        project_create(
            actor=personas.street_a,
            data={
                "neighbourhood": personas.street_a_place,
                "code": "RA-2026-99",
                "plan_year": 2026,
                "status": ProjectStatus.UNDER_CONSTRUCTION,
            },
        )
    assert "status" in refused.value.message_dict
