"""The supervision cast: a supervisor assigned to a project in street A, one who is not, the
construction unit that builds it and one that does not, on top of the shared personas."""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from renovation.supervision.models import ConstructionUnit, Supervisor
from tests.factories import NeighbourhoodFactory, ProjectFactory, UserFactory
from tests.finance.factories import contract_for


def jpeg(name: str = "site.jpg", size: tuple[int, int] = (640, 480), color: str = "orange") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image(name: str = "fake.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is a shopping list, not a photo", content_type="image/jpeg")


@dataclass
class Cast:
    project: Any  # in street A, supervised by ``supervisor``, built by ``builder``
    other_project: Any  # in street B
    supervisor: Any  # user
    other_supervisor: Any  # user, in term, assigned to other_project only
    builder: Any  # user of the unit building ``project``
    other_builder: Any  # user of a unit building other_project only


@pytest.fixture
def cast(personas) -> Cast:
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造")
    other_project = ProjectFactory(neighbourhood=personas.street_b_place, name="玉海苑改造")
    today = timezone.localdate()
    supervisor_user = UserFactory(username="supervisor", first_name="陈阿姨", email="chen@example.org")
    supervisor = Supervisor.objects.create(
        user=supervisor_user,
        home_neighbourhood=personas.street_a_place,
        appointed_by="安阳街道办事处",
        term_start=today - timedelta(days=30),
        term_end=today + timedelta(days=365),
    )
    supervisor.projects.add(project)
    other_user = UserFactory(username="other_supervisor", first_name="林师傅")
    other = Supervisor.objects.create(
        user=other_user,
        home_neighbourhood=NeighbourhoodFactory(community=personas.street_b_place.community),
        appointed_by="玉海街道办事处",
        term_start=date(2020, 1, 1),
        term_end=today + timedelta(days=365),
    )
    other.projects.add(other_project)
    # A construction unit builds the projects its company holds a signed contract for.
    builder = UserFactory(username="builder", first_name="施工员", email="builder@example.org")
    company = contract_for(project, company="瑞安市建筑工程有限公司").contractor
    unit = ConstructionUnit.objects.create(name="瑞安市建筑工程有限公司", company=company)
    unit.members.add(builder)
    other_builder = UserFactory(username="other_builder")
    other_company = contract_for(other_project, company="温州宏业建设有限公司").contractor
    other_unit = ConstructionUnit.objects.create(name="温州宏业建设有限公司", company=other_company)
    other_unit.members.add(other_builder)
    return Cast(project, other_project, supervisor_user, other_user, builder, other_builder)


@pytest.fixture
def reported_issue(cast, django_capture_on_commit_callbacks):
    from renovation.supervision.services import site_issue_report

    def _report(**overrides: Any):
        fields = {
            "actor": cast.supervisor,
            "project": cast.project,
            "category": "quality",
            "severity": "general",
            "description": "3幢外墙空鼓开裂",
            "location": "3幢2单元",
            "photos": [jpeg()],
        }
        fields.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return site_issue_report(**fields)

    return _report
