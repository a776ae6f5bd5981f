"""The annual plan import, as a background job (the worker runs it; see renovation/jobs/)."""

from django_tasks import task

from .services import plan_import_files_expire as expire_files
from .services import plan_import_run


@task()
def plan_import(*, import_id: int) -> str:
    """Check and import one uploaded plan workbook; returns the import's final status."""
    return plan_import_run(import_id=import_id).status


@task()
def plan_import_files_expire() -> int:
    """The clock's job: delete the files of plan imports answered more than IMPORT_FILES_KEEP_DAYS ago."""
    return expire_files()
