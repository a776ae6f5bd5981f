from decimal import Decimal

import pytest

from cms.services import project_page_ensure
from renovation.projects.services import progress_report_confirm, progress_report_submit
from tests.factories import NeighbourhoodFactory, ProjectFactory, WorkItemFactory


@pytest.fixture
def published_project(personas):
    """A project with a public page, built the way staff build one."""

    def _make(*, items: int = 3, reports_per_item: int = 1, **project_fields):
        fields = {"neighbourhood": personas.street_a_place, **project_fields}
        if "neighbourhood" not in project_fields and "street" in fields:
            fields["neighbourhood"] = NeighbourhoodFactory(community__street=fields.pop("street"))
        fields.pop("street", None)
        project = ProjectFactory(**fields)
        categories = ["building", "roads", "networks", "greening", "care", "governance"]
        for index in range(items):
            item = WorkItemFactory(project=project, category=categories[index % 6], budget=Decimal("100000"))
            for step in range(reports_per_item):
                report = progress_report_submit(
                    actor=personas.bureau, work_item=item, percent=Decimal(min(100, 10 * (step + 1)))
                )
                progress_report_confirm(actor=personas.bureau, report=report)
        page = project_page_ensure(project=project)
        project.refresh_from_db()
        return project, page

    return _make
