"""Decision items (议题): one vote per household, within the voting dates, options of the item."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.consultation.models import Vote
from renovation.consultation.services import decision_item_create, vote_cast


@pytest.fixture
def item(personas, consulting):
    today = timezone.localdate()
    return decision_item_create(
        actor=personas.street_a,
        project=consulting,
        question="停车位怎么分配",
        options=["摇号", "按楼栋轮换"],
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=2),
    )


def test_it_counts_one_vote_per_household(personas, item, register):
    household = register(1)[0]
    first, second = item.options.all()
    vote_cast(actor=personas.street_a, item=item, household=household, option=first, channel="paper")
    with pytest.raises(ValidationError) as refused:
        vote_cast(actor=personas.street_a, item=item, household=household, option=second, channel="paper")
    assert "已就此议题投过票" in refused.value.messages[0]
    assert list(Vote.objects.values_list("option__label", flat=True)) == ["摇号"]


def test_it_refuses_votes_outside_the_voting_dates(personas, item, register):
    with pytest.raises(ValidationError) as refused:
        vote_cast(
            actor=personas.street_a,
            item=item,
            household=register(1)[0],
            option=item.options.first(),
            channel="paper",
            cast_on=item.opens_on - timedelta(days=1),
        )
    assert "投票时间" in refused.value.messages[0]


def test_it_refuses_an_option_of_another_item(personas, consulting, item, register):
    other = decision_item_create(
        actor=personas.street_a,
        project=consulting,
        question="另一议题",
        options=["甲", "乙"],
        opens_on=item.opens_on,
        closes_on=item.closes_on,
    )
    with pytest.raises(ValidationError, match="请选择本议题的一个选项"):
        vote_cast(actor=personas.street_a, item=item, household=register(1)[0], option=other.options.first())


def test_it_needs_two_distinct_options_and_sensible_dates(personas, consulting):
    for options, closes, field, message in (
        (["只有一个"], date(2023, 5, 1), "options", "请至少填写两个选项。"),
        (["甲", "甲"], date(2023, 5, 1), "options", "选项不能重复。"),
        (["甲", "乙"], date(2023, 3, 1), "closes_on", "投票截止日期不能早于开始日期。"),
    ):
        with pytest.raises(ValidationError) as refused:
            decision_item_create(
                actor=personas.street_a,
                project=consulting,
                question="问",
                options=options,
                opens_on=date(2023, 4, 1),
                closes_on=closes,
            )
        assert refused.value.message_dict[field] == [message]


@pytest.mark.parametrize("who", ["street_b", "resident"])
def test_it_lets_only_the_streets_staff_create_items(personas, consulting, who):
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        decision_item_create(
            actor=getattr(personas, who),
            project=consulting,
            question="问",
            options=["甲", "乙"],
            opens_on=date(2023, 4, 1),
            closes_on=date(2023, 4, 2),
        )


def test_it_lets_a_linked_resident_vote_for_their_own_household_only(personas, item, linked, register, stranger):
    vote = vote_cast(actor=personas.resident, item=item, household=linked, option=item.options.first())
    assert vote.channel == "online"
    with pytest.raises(PermissionDenied, match="只有街道工作人员或经核实的本户居民可以办理"):
        vote_cast(actor=personas.resident, item=item, household=register(1)[0], option=item.options.first())
    with pytest.raises(PermissionDenied, match="只有街道工作人员或经核实的本户居民可以办理"):
        vote_cast(actor=stranger, item=item, household=linked, option=item.options.first())
