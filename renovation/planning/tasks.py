"""The annual plan import, as a background job (the worker runs it; see renovation/jobs/)."""

from django_tasks import task

from .services import plan_import_run


@task()
def plan_import(*, import_id: int) -> str:
    """Check and import one uploaded plan workbook; returns the import's final status."""
    return plan_import_run(import_id=import_id).status
