"""The monthly street evaluation freeze, as a periodic background job (JOBS_SCHEDULE: hourly; a
month is frozen once, in the first hour after it ends)."""

from django_tasks import task

from .services import monthly_evaluations_freeze


@task()
def evaluations_freeze() -> int:
    """Freeze every ended month not frozen yet; returns how many street evaluations were written."""
    return monthly_evaluations_freeze()
