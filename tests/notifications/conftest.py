import pytest

from cms.services import project_page_ensure
from renovation import sms
from renovation.public.cache import cache_backend
from tests.factories import ProjectFactory, WorkItemFactory


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def followed_project(personas, django_capture_on_commit_callbacks):
    """A project in street A with one work item and its public page."""
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造")
    WorkItemFactory(project=project, category="building", description="外立面整治")
    with django_capture_on_commit_callbacks(execute=True):
        page = project_page_ensure(project=project)
    return project, page.url


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_CACHE_ENABLED = True
    cache_backend().clear()
    yield cache_backend()
    cache_backend().clear()
