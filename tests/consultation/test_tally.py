"""The intent tally and its threshold: exact integer arithmetic, all households counted."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from renovation.consultation.models import ConsultationRule, IntentChoice
from renovation.consultation.services import intents_record_batch
from renovation.consultation.tally import DEFAULT_THRESHOLD, Tally, intent_tallies, intent_tally, project_threshold
from renovation.projects.models import ProjectStatus
from renovation.projects.services import project_update
from tests.factories import NeighbourhoodFactory, ProjectFactory


def _tally(households, agree=0, disagree=0, abstain=0, threshold=Fraction(2, 3)):
    return Tally(
        households=households,
        from_register=True,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
        threshold=threshold,
    )


def test_it_is_never_met_without_households():
    # With an empty register and a household count of 0, nobody agreeing must not approve a project.
    assert _tally(0).met is False
    assert _tally(0).agree_percent == Decimal("0")
    assert _tally(0).responded_percent == Decimal("0")
    assert _tally(0).needed == 0


def test_it_is_met_at_exactly_the_threshold_and_not_one_below():
    assert _tally(483, agree=322).met is True
    assert _tally(483, agree=321).met is False
    assert _tally(3, agree=2).met is True
    assert _tally(3, agree=1, disagree=2).met is False
    assert _tally(4, agree=3, threshold=Fraction(3, 4)).met is True
    assert _tally(4, agree=2, threshold=Fraction(3, 4)).met is False


def test_it_counts_the_households_needed_rounded_up():
    assert _tally(483).needed == 322
    assert _tally(9).needed == 6
    assert _tally(10).needed == 7
    assert _tally(10, threshold=Fraction(1, 2)).needed == 5
    assert _tally(7, threshold=Fraction(3, 4)).needed == 6


def test_it_gives_shares_of_all_households_to_one_decimal_half_up():
    tally = _tally(9, agree=5, disagree=2, abstain=1)
    assert tally.responded == 8
    assert tally.agree_percent == Decimal("55.6")
    assert tally.responded_percent == Decimal("88.9")
    # 1 of 8 = 12.5% exactly; 1 of 16 = 6.25 → 6.3 (half up, not half even).
    assert _tally(8, agree=1).agree_percent == Decimal("12.5")
    assert _tally(16, agree=1).agree_percent == Decimal("6.3")
    assert _tally(16, agree=1, disagree=0, abstain=0).responded_percent == Decimal("6.3")
    assert _tally(16, disagree=1, abstain=2).responded_percent == Decimal("18.8")


def test_it_shows_the_threshold_as_a_fraction_and_a_percent():
    assert _tally(9).threshold_label == "2/3"
    assert _tally(9).threshold_percent == Decimal("66.7")
    assert _tally(9, threshold=Fraction(3, 4)).threshold_percent == Decimal("75.0")
    assert _tally(9, threshold=Fraction(3, 4)).threshold_label == "3/4"


def _answer(personas, project, households, choices):
    intents_record_batch(
        actor=personas.street_a,
        project=project,
        answers=list(zip(households, choices, strict=True)),
        channel="paper",
        responded_on=project.planned_start,
    )


def test_it_tallies_the_register_and_the_answers(personas, consulting, register):
    households = register(6)
    _answer(
        personas, consulting, households[:5], [IntentChoice.AGREE] * 3 + [IntentChoice.DISAGREE, IntentChoice.ABSTAIN]
    )
    tally = intent_tally(consulting)
    assert (tally.households, tally.agree, tally.disagree, tally.abstain) == (6, 3, 1, 1)
    assert tally.from_register is True
    assert tally.threshold == DEFAULT_THRESHOLD
    many = intent_tallies([consulting])[consulting.pk]
    assert many == tally


def test_it_counts_the_larger_of_the_register_and_the_neighbourhoods_figure(personas, consulting, register):
    register(3)
    type(personas.street_a_place).objects.filter(pk=personas.street_a_place.pk).update(household_count=10)
    consulting.neighbourhood.refresh_from_db()
    tally = intent_tally(consulting)
    assert (tally.households, tally.from_register) == (10, False)
    assert intent_tallies([consulting])[consulting.pk] == tally


def test_it_uses_the_projects_own_rule(personas, consulting):
    ConsultationRule.objects.create(project=consulting, threshold_numerator=3, threshold_denominator=4)
    assert project_threshold(consulting) == Fraction(3, 4)
    assert intent_tally(consulting).threshold == Fraction(3, 4)
    assert intent_tallies([consulting])[consulting.pk].threshold == Fraction(3, 4)
    other = ProjectFactory(neighbourhood=personas.street_a_place)
    assert project_threshold(other) == DEFAULT_THRESHOLD


def test_it_measures_a_project_moved_to_another_neighbourhood_against_the_new_one(personas, consulting, register):
    households = register(3)
    _answer(personas, consulting, households, [IntentChoice.AGREE] * 3)  # 3 of 3 in 飞云花园
    elsewhere = NeighbourhoodFactory(community=personas.street_a_place.community, household_count=100)
    with pytest.raises(ValidationError) as refused:
        project_update(
            actor=personas.street_a,
            project=consulting,
            data={"neighbourhood": elsewhere, "status": ProjectStatus.APPROVED},
        )
    assert "100" in str(refused.value)
    consulting.refresh_from_db()
    assert consulting.status == ProjectStatus.CONSULTING
    consulting.neighbourhood = elsewhere
    assert intent_tally(consulting).households == 100
