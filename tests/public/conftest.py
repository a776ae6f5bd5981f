"""The public page cache switched on, empty, and a scene with every kind of public page."""

import contextlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from cms.services import project_page_ensure
from renovation.public.cache import CACHE_DOWN, cache_backend


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_CACHE_ENABLED = True
    cache.clear()  # the API's rates: each test starts with none spent
    cache_backend().clear()
    yield cache_backend()
    with contextlib.suppress(*CACHE_DOWN):  # a test may have pointed it at a server that is down
        cache_backend().clear()


@dataclass
class Scene:
    tendered: Any  # a project with an announced tender (street A)
    supervised: Any  # a project with a supervisor and a construction unit (street A)
    tender: Any
    supervisor: Any  # the user appointed to ``supervised``
    pages: dict[str, list[str]]  # page family → URLs, as CHANGE_PAGES names them; the first is the page

    def urls(self) -> list[str]:
        return sorted({url for urls in self.pages.values() for url in urls})

    def project_urls(self, project: Any) -> list[str]:
        return self.pages[f"project:{project.pk}"]


def _photo_of_the_works(project: Any, personas: Any) -> None:
    """A confirmed progress report with a photo: the project page's gallery shows it."""
    from renovation.projects.services import progress_report_confirm, progress_report_submit
    from tests.factories import WorkItemFactory
    from tests.projects.photos import phone_jpeg

    item = WorkItemFactory(project=project, description="单元门更换")
    report = progress_report_submit(
        actor=personas.bureau, work_item=item, percent=Decimal("20"), photos=[phone_jpeg()], photo_phase="before"
    )
    progress_report_confirm(actor=personas.bureau, report=report)


@pytest.fixture
def scene(page_cache, tender_cast, cast, personas, django_capture_on_commit_callbacks) -> Scene:
    with django_capture_on_commit_callbacks(execute=True):
        tendered_page = project_page_ensure(project=tender_cast.project)
        supervised_page = project_page_ensure(project=cast.project)
        _photo_of_the_works(cast.project, personas)
    tender = tender_cast.tender
    tendered, supervised = tender_cast.project, cast.project
    street_feed = f"/streets/{tendered.neighbourhood.community.street.code}/feed/"
    return Scene(
        tendered=tender_cast.project,
        supervised=cast.project,
        tender=tender,
        supervisor=cast.supervisor,
        pages={
            "home": ["/"],
            "index": ["/projects/"],
            "notices": ["/notices/"],
            # The tender's page names its project: it shows the project too.
            f"project:{tender_cast.project.pk}": [
                tendered_page.url,
                f"{tendered_page.url}changes/",
                f"/tenders/{tender_cast.tender.pk}/",
                f"/projects/{tendered.slug}/feed/",
            ],
            f"project:{cast.project.pk}": [
                supervised_page.url,
                f"{supervised_page.url}changes/",
                f"{supervised_page.url}photos/",
                f"{supervised_page.url}payments/",
                f"{supervised_page.url}issues/",
                f"/projects/{supervised.slug}/feed/",
            ],
            "streets": ["/streets/", street_feed],
            "tenders": ["/tenders/", "/tenders/feed/", street_feed],
            f"tender:{tender.pk}": [f"/tenders/{tender.pk}/", f"/tenders/{tender.pk}/ocds.json"],
            "ocds": ["/tenders/ocds.json"],
            # Open data: bulk files, OC4IDS and the catalogue; the API and Open311 (without a key).
            "open_data": [
                "/open-data/projects.csv",
                "/open-data/",
                "/open-data/tenders.csv",
                "/open-data/disclosures.xlsx",
                "/projects/oc4ids.json",
                f"/projects/{tendered.slug}/oc4ids.json",
            ],
            "api": [
                "/api/v1/projects/",
                "/api/v1/consultation/",
                "/api/v1/site-issues/",
                "/api/v1/tenders/",
                "/api/v1/payments/",
                "/api/v1/streets/",
                "/open311/v2/requests.json",
            ],
        },
    )
