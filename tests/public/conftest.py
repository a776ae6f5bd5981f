"""The public page cache switched on, empty, and a scene with every kind of public page."""

import contextlib
from dataclasses import dataclass
from typing import Any

import pytest

from cms.services import project_page_ensure
from renovation.public.cache import CACHE_DOWN, cache_backend


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_CACHE_ENABLED = True
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


@pytest.fixture
def scene(page_cache, tender_cast, cast, django_capture_on_commit_callbacks) -> Scene:
    with django_capture_on_commit_callbacks(execute=True):
        tendered_page = project_page_ensure(project=tender_cast.project)
        supervised_page = project_page_ensure(project=cast.project)
    tender = tender_cast.tender
    return Scene(
        tendered=tender_cast.project,
        supervised=cast.project,
        tender=tender,
        supervisor=cast.supervisor,
        pages={
            "home": ["/"],
            "index": ["/projects/"],
            # The tender's page names its project: it shows the project too.
            f"project:{tender_cast.project.pk}": [
                tendered_page.url,
                f"{tendered_page.url}changes/",
                f"/tenders/{tender_cast.tender.pk}/",
            ],
            f"project:{cast.project.pk}": [
                supervised_page.url,
                f"{supervised_page.url}changes/",
                f"{supervised_page.url}payments/",
                f"{supervised_page.url}issues/",
            ],
            "streets": ["/streets/"],
            "tenders": ["/tenders/"],
            f"tender:{tender.pk}": [f"/tenders/{tender.pk}/", f"/tenders/{tender.pk}/ocds.json"],
            "ocds": ["/tenders/ocds.json"],
        },
    )
