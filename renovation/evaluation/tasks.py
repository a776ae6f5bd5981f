"""The monthly street evaluation freeze, as a periodic background job (JOBS_SCHEDULE: hourly; a
month is frozen once, in the first hour after it ends); and the league table's kept rendering
(stored.py), rebuilt after each change it shows and by the clock for what midnight changes."""

from django_tasks import task

from . import stored
from .services import monthly_evaluations_freeze


@task()
def evaluations_freeze() -> int:
    """Freeze every ended month not frozen yet; returns how many street evaluations were written."""
    return monthly_evaluations_freeze()


@task()
def street_league_rebuild(force: bool = False) -> int:
    """Render the league table a committed change marked stale again (stored.py), unless a job of
    the same burst already did (``force``: the change's mark failed, so its rows look current);
    returns how many rows (plan year and language) were written."""
    return stored.street_league_rebuild() if force else stored.street_league_refresh()


@task()
def street_league_refresh() -> int:
    """Render it again when midnight, a deploy or a lost job left it stale."""
    return stored.street_league_refresh()
