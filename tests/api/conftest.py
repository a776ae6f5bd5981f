import pytest
from django.core.cache import cache

from tests.api.scene import build_scene


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Rates are counted in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(personas, cast, reported_issue, site_tree):
    return build_scene(personas, cast, reported_issue)
