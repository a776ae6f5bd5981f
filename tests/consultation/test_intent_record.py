"""Recording a household's intent: who may, when, and what a re-record does."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.consultation.models import Intent
from renovation.consultation.services import intent_record
from renovation.consultation.tally import intent_tally
from renovation.projects.models import ProjectStatus
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory


def _record(actor, project, household, choice="agree", **extra):
    return intent_record(actor=actor, project=project, household=household, choice=choice, **extra)


def test_it_replaces_the_intent_on_a_re_record_and_keeps_the_old_in_history(personas, consulting, register):
    household = register(1)[0]
    _record(personas.street_a, consulting, household, "disagree", channel="paper", responded_on=date(2023, 3, 1))
    _record(personas.street_a, consulting, household, "agree", channel="on_site", responded_on=date(2023, 3, 5))
    intent = Intent.objects.get(project=consulting, household=household)
    assert (intent.choice, intent.channel) == ("agree", "on_site")
    assert [record.choice for record in intent.history.order_by("history_id")] == ["disagree", "agree"]
    assert intent_tally(consulting).agree == 1 and intent_tally(consulting).disagree == 0


@pytest.mark.parametrize("status", [ProjectStatus.PROPOSED, ProjectStatus.APPROVED, ProjectStatus.ACCEPTED])
def test_it_collects_intents_only_while_consulting(personas, register, status):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=status)
    with pytest.raises(ValidationError) as refused:
        _record(personas.street_a, project, register(1)[0])
    assert "征询" in refused.value.messages[0]
    assert not Intent.objects.exists()


def test_it_refuses_a_household_of_another_neighbourhood(personas, consulting):
    elsewhere = HouseholdFactory(neighbourhood=personas.street_b_place)
    with pytest.raises(ValidationError) as refused:
        _record(personas.street_a, consulting, elsewhere)
    assert refused.value.message_dict == {"household": ["该住户不在本项目所在小区。"]}
    assert not Intent.objects.exists()


def test_it_refuses_a_date_in_the_future(personas, consulting, register):
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        _record(personas.street_a, consulting, register(1)[0], responded_on=date(2999, 1, 1))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("street_a", True), ("bureau", True), ("superuser", True), ("street_b", False), ("resident", True)],
)
def test_it_follows_the_permission_matrix(personas, consulting, linked, who, allowed):
    actor = getattr(personas, who)
    if allowed:
        intent = _record(actor, consulting, linked)
        assert intent.recorded_by == actor
    else:
        with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
            _record(actor, consulting, linked)
        assert not Intent.objects.exists()


def test_it_refuses_a_resident_for_a_household_not_linked_to_them(personas, consulting, linked, stranger, register):
    other = register(1)[0]
    with pytest.raises(PermissionDenied, match="只有街道工作人员或经核实的本户居民可以办理"):
        _record(personas.resident, consulting, other)
    with pytest.raises(PermissionDenied, match="只有街道工作人员或经核实的本户居民可以办理"):
        _record(stranger, consulting, linked)
    with pytest.raises(PermissionDenied, match="只有街道工作人员或经核实的本户居民可以办理"):
        _record(AnonymousUser(), consulting, linked)


def test_it_records_a_residents_own_answer_as_online_today(personas, consulting, linked):
    intent = _record(personas.resident, consulting, linked, channel="paper", responded_on=date(2023, 1, 1))
    assert intent.channel == "online"
    assert intent.responded_on != date(2023, 1, 1)
