"""factory_boy factories for the domain. They build rows directly: tests of services call the
services; factories only set the scene."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from renovation.places.models import Community, ManagementType, Neighbourhood, Street
from renovation.projects.models import ProgressReport, Project, ProjectStatus, WorkCategory, WorkItem


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or "pw")
        if create:
            self.save()


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"街道{n}")
    code = factory.Sequence(lambda n: f"street{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"社区{n}")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")
    built_year = 1995
    building_count = 6
    household_count = 200
    floor_area = Decimal("15000")
    management_type = ManagementType.COMMUNITY


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    code = factory.Sequence(lambda n: f"T-{n:04d}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.neighbourhood.name}改造")
    plan_year = 2023
    status = ProjectStatus.UNDER_CONSTRUCTION
    budget_central = Decimal("500000")
    budget_city = Decimal("300000")
    planned_start = date(2023, 3, 1)
    planned_end = date(2023, 11, 30)


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    project = factory.SubFactory(ProjectFactory)
    category = WorkCategory.BUILDING
    description = factory.Sequence(lambda n: f"改造内容{n}")
    budget = Decimal("100000")
    planned_start = date(2023, 3, 1)
    planned_end = date(2023, 9, 30)


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    work_item = factory.SubFactory(WorkItemFactory)
    percent = Decimal("50")
    reported_on = date(2023, 6, 1)
