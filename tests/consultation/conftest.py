"""The consultation cast: a project in street A consulting its residents, a small register, and a
resident whose account staff linked to one household."""

from typing import Any

import pytest

from renovation.consultation.models import Household
from renovation.projects.models import ProjectStatus
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def consulting(personas) -> Any:
    """A project of street A's 飞云花园 (483 households on paper) collecting intents."""
    return ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING, code="FY-1")


@pytest.fixture
def register(personas):
    """A complete register of ``count`` households: the neighbourhood's own figure is brought in
    line, as it is once the whole register is entered (a partial register never lowers the bar)."""

    def _make(count: int, neighbourhood: Any = None) -> list[Household]:
        neighbourhood = neighbourhood or personas.street_a_place
        households = HouseholdFactory.create_batch(count, neighbourhood=neighbourhood)
        total = Household.objects.filter(neighbourhood=neighbourhood).count()
        type(neighbourhood).objects.filter(pk=neighbourhood.pk).update(household_count=total)
        neighbourhood.household_count = total
        return households

    return _make


@pytest.fixture
def linked(personas, register) -> Any:
    """The resident persona, linked by staff to the first household of 飞云花园."""
    household = register(1)[0]
    household.resident = personas.resident
    household.save()
    return household


@pytest.fixture
def stranger(db) -> Any:
    return UserFactory(username="stranger")
