"""factory_boy factories for consultation rows (they set the scene; tests of services call services)."""

import factory

from renovation.consultation.models import Household


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.Sequence(lambda n: str(n // 24 + 1))
    unit = factory.Sequence(lambda n: str(n // 6 % 4 + 1))
    room = factory.Sequence(lambda n: f"{n % 6 + 1}01")
    floor_area = 80
