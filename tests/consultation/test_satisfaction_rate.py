"""Satisfaction (满意度): after acceptance only, once per household, only the project's kinds of work."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.consultation.models import SatisfactionRating
from renovation.consultation.services import satisfaction_rate
from renovation.projects.models import ProjectStatus
from tests.factories import WorkItemFactory


@pytest.fixture
def finished(consulting):
    WorkItemFactory(project=consulting, category="building")
    WorkItemFactory(project=consulting, category="roads")
    consulting.status = ProjectStatus.ACCEPTED
    consulting.save()
    return consulting


def _rate(actor, project, household, **extra):
    values = {"overall": 4, "scores": {"building": 5}, "comment": "不错", "channel": "paper"}
    values.update(extra)
    return satisfaction_rate(actor=actor, project=project, household=household, **values)


@pytest.mark.parametrize(
    "status",
    [ProjectStatus.CONSULTING, ProjectStatus.APPROVED, ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.SUSPENDED],
)
def test_it_opens_only_after_acceptance(personas, finished, register, status):
    finished.status = status
    finished.save()
    with pytest.raises(ValidationError) as refused:
        _rate(personas.street_a, finished, register(1)[0])
    assert "竣工验收后" in refused.value.messages[0]


@pytest.mark.parametrize("status", [ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE])
def test_it_records_the_rating_with_its_category_scores(personas, finished, register, status):
    finished.status = status
    finished.save()
    rating = _rate(personas.street_a, finished, register(1)[0], scores={"building": 5, "roads": 2})
    assert dict(rating.scores.values_list("category", "score")) == {"building": 5, "roads": 2}
    assert rating.history.get().history_change_reason == "satisfaction_rate"


def test_it_takes_one_rating_per_household(personas, finished, register):
    household = register(1)[0]
    _rate(personas.street_a, finished, household)
    with pytest.raises(ValidationError, match="该住户已评价过本项目"):
        _rate(personas.street_a, finished, household, overall=1)
    assert SatisfactionRating.objects.get().overall == 4


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"scores": {"care": 4}}, "scores", "只能评价本项目实际实施的改造类别"),
        ({"overall": 6}, "overall", "小于或等于5"),
        ({"overall": 0}, "overall", "大于或等于1"),
        ({"scores": {"building": 9}}, "score", "小于或等于5"),
    ],
)
def test_it_refuses_bad_scores_and_saves_nothing(personas, finished, register, extra, field, message):
    with pytest.raises(ValidationError) as refused:
        _rate(personas.street_a, finished, register(1)[0], **extra)
    assert message in refused.value.message_dict[field][0]
    assert not SatisfactionRating.objects.exists()


@pytest.mark.parametrize(
    "who, message",
    [("street_b", "您只能管理本街道内的项目"), ("resident", "只有街道工作人员或经核实的本户居民可以办理")],
)
def test_it_refuses_other_streets_and_unlinked_residents(personas, finished, register, who, message):
    with pytest.raises(PermissionDenied, match=message):
        _rate(getattr(personas, who), finished, register(1)[0])


def test_it_refuses_an_overlong_comment(personas, finished, register):
    with pytest.raises(ValidationError) as refused:
        _rate(personas.street_a, finished, register(1)[0], comment="好" * 1001)
    assert "comment" in refused.value.message_dict
    assert not SatisfactionRating.objects.exists()
