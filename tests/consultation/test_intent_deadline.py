"""The date residents are asked to answer by: set with the threshold, answers dated later refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from renovation.consultation.models import ConsultationRule, Intent
from renovation.consultation.services import consultation_rule_set, intent_record


def test_it_keeps_the_deadline_when_only_the_threshold_changes(personas, consulting):
    day = timezone.localdate() + timedelta(days=10)
    consultation_rule_set(actor=personas.street_a, project=consulting, numerator=2, denominator=3, intent_closes_on=day)
    consultation_rule_set(actor=personas.street_a, project=consulting, numerator=3, denominator=4)
    rule = ConsultationRule.objects.get()
    assert (rule.threshold_numerator, rule.intent_closes_on) == (3, day)


def test_it_refuses_a_residents_answer_after_the_deadline(personas, consulting, linked):
    yesterday = timezone.localdate() - timedelta(days=1)
    consultation_rule_set(
        actor=personas.street_a, project=consulting, numerator=2, denominator=3, intent_closes_on=yesterday
    )
    with pytest.raises(ValidationError) as refused:
        intent_record(actor=personas.resident, project=consulting, household=linked, choice="agree")
    assert refused.value.message_dict == {
        "responded_on": [f"意愿征询已于 {yesterday.isoformat()} 截止，之后的答复不计入。"]
    }
    assert not Intent.objects.exists()


def test_it_accepts_a_letter_dated_on_the_deadline_entered_later(personas, consulting, linked):
    yesterday = timezone.localdate() - timedelta(days=1)
    consultation_rule_set(
        actor=personas.street_a, project=consulting, numerator=2, denominator=3, intent_closes_on=yesterday
    )
    intent_record(
        actor=personas.street_a,
        project=consulting,
        household=linked,
        choice="agree",
        channel="paper",
        responded_on=yesterday,
    )
    assert Intent.objects.get().responded_on == yesterday
