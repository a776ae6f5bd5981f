"""Every kind of public change, made through its service (the walk of test_invalidation.py), marks
the street league table's kept rendering (renovation/evaluation/stored.py) stale exactly when
``CHANGE_PAGES`` sends it to /streets/ or to every page."""

import pytest

from renovation.public.cache import CHANGE_PAGES
from tests.jobs.conftest import DATABASE_BACKEND
from tests.public.test_invalidation import CASES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", list(CASES))
def test_each_change_marks_the_kept_league_stale_exactly_when_it_reaches_streets(
    case, site_tree, scene, personas, settings, django_capture_on_commit_callbacks
):
    from renovation.evaluation import stored
    from renovation.evaluation.models import StreetLeagueSummary

    settings.TASKS = DATABASE_BACKEND  # the rebuild waits in its table, as for the worker
    stored.rebuilds.forget()  # what an earlier test's rolled-back transaction noted
    stored.street_league_rebuild()
    assert StreetLeagueSummary.objects.exists()
    assert not any(row.built_generation < row.generation for row in StreetLeagueSummary.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        change, *_rest = CASES[case](scene, personas)

    stale = {row.built_generation < row.generation for row in StreetLeagueSummary.objects.all()}
    assert stale == {bool({"streets", "site"} & set(CHANGE_PAGES[change]))}, change
