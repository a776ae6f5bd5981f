from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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


def pdf(name: str = "改造方案.pdf", text: str = "renovation plan") -> SimpleUploadedFile:
    """A small but real PDF file."""
    from cms.demo import pdf_document

    return SimpleUploadedFile(name, pdf_document(text, [text]), content_type="application/pdf")


@pytest.fixture
def upload(personas):
    """A document in Wagtail's library, uploaded by bureau staff."""
    from cms.services import document_upload

    def _upload(title: str, name: str = "file.pdf", actor=None):
        return document_upload(actor=actor or personas.bureau, title=title, file=pdf(name))

    return _upload


@pytest.fixture
def notice(personas):
    """A published notice, written by bureau staff unless ``actor`` says otherwise."""
    from cms.services import notice_publish

    def _notice(title: str = "关于飞云花园改造施工期间停水的通知", **fields):
        fields.setdefault("actor", personas.bureau)
        fields.setdefault("paragraphs", ["施工期间将临时停水，请居民提前储水。"])
        return notice_publish(title=title, **fields)

    return _notice
