"""A stack of paper letters entered on the desk: saved all together or not at all, every refused
row named, only by staff of the project's street."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.consultation.models import Intent
from renovation.consultation.services import PaperLetter, consultation_rule_set, intent_letters_record, intent_record


def _letters(households, choices=("agree", "disagree", "abstain"), day=None):
    day = day or timezone.localdate()
    return [
        PaperLetter(row=n + 1, household=household, choice=choices[n % len(choices)], received_on=day - timedelta(n))
        for n, household in enumerate(households)
    ]


def test_it_saves_every_letter_with_its_own_date_as_paper(personas, consulting, register):
    households = register(3)
    saved = intent_letters_record(actor=personas.street_a, project=consulting, letters=_letters(households))
    assert saved == 3
    rows = {i.household_id: (i.choice, i.channel, i.responded_on) for i in Intent.objects.all()}
    today = timezone.localdate()
    assert rows == {
        households[0].pk: ("agree", "paper", today),
        households[1].pk: ("disagree", "paper", today - timedelta(1)),
        households[2].pk: ("abstain", "paper", today - timedelta(2)),
    }
    assert {h.history_change_reason for h in Intent.history.all()} == {"intent_letters_record"}


def test_it_saves_nothing_and_names_the_row_when_one_letter_is_dated_in_the_future(personas, consulting, register):
    letters = _letters(register(3))
    letters[1] = PaperLetter(row=2, household=letters[1].household, choice="agree", received_on=date(2999, 1, 1))
    with pytest.raises(ValidationError) as refused:
        intent_letters_record(actor=personas.street_a, project=consulting, letters=letters)
    assert refused.value.messages == ["第 2 行：收到日期不能晚于今天。"]
    assert not Intent.objects.exists()


def test_it_refuses_a_household_entered_twice_naming_both_rows(personas, consulting, register):
    household = register(1)[0]
    letters = _letters([household, household])
    with pytest.raises(ValidationError) as refused:
        intent_letters_record(actor=personas.street_a, project=consulting, letters=letters)
    assert refused.value.messages == [f"第 2 行：{household.address} 已在第 1 行录入。"]
    assert not Intent.objects.exists()


def test_it_refuses_a_household_that_already_answered_instead_of_overwriting(personas, consulting, register):
    first, second = register(2)
    intent_record(actor=personas.street_a, project=consulting, household=first, choice="agree", channel="on_site")
    with pytest.raises(ValidationError) as refused:
        intent_letters_record(
            actor=personas.street_a, project=consulting, letters=_letters([second, first], choices=("disagree",))
        )
    assert refused.value.messages[0].startswith(f"第 2 行：{first.address} 已有答复（同意，现场登记，")
    assert list(Intent.objects.values_list("household_id", "choice")) == [(first.pk, "agree")]


def test_it_refuses_a_household_of_another_estate(personas, consulting, register):
    stranger = register(1, neighbourhood=personas.street_b_place)[0]
    with pytest.raises(ValidationError) as refused:
        intent_letters_record(actor=personas.street_a, project=consulting, letters=_letters(register(1) + [stranger]))
    assert refused.value.messages == [f"第 2 行：{stranger.address} 不在本项目所在小区。"]
    assert not Intent.objects.exists()


def test_it_refuses_letters_received_after_the_deadline(personas, consulting, register):
    yesterday = timezone.localdate() - timedelta(days=1)
    consultation_rule_set(
        actor=personas.street_a, project=consulting, numerator=2, denominator=3, intent_closes_on=yesterday
    )
    with pytest.raises(ValidationError) as refused:
        intent_letters_record(actor=personas.street_a, project=consulting, letters=_letters(register(2)))
    assert refused.value.messages == [f"第 1 行：意愿征询已于 {yesterday.isoformat()} 截止。"]
    assert not Intent.objects.exists()


@pytest.mark.parametrize("who", ["street_b", "resident"])
def test_it_lets_only_the_projects_street_and_the_bureau_enter_letters(personas, consulting, register, who):
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        intent_letters_record(actor=getattr(personas, who), project=consulting, letters=_letters(register(1)))
    assert not Intent.objects.exists()


def test_it_lets_the_bureau_enter_letters(personas, consulting, register):
    assert intent_letters_record(actor=personas.bureau, project=consulting, letters=_letters(register(2))) == 2


def test_it_refuses_an_empty_stack(personas, consulting):
    with pytest.raises(ValidationError) as refused:
        intent_letters_record(actor=personas.street_a, project=consulting, letters=[])
    assert refused.value.messages == ["请至少录入一份意见书。"]
