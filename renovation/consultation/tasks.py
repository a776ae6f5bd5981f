"""The household register import, as a background job (the worker runs it; see renovation/jobs/)."""

from django_tasks import task

from .register import household_import_files_expire as expire_files
from .register import household_import_run


@task()
def household_import(*, import_id: int) -> str:
    """Check and import one uploaded register workbook; returns the import's final status."""
    return household_import_run(import_id=import_id).status


@task()
def household_import_files_expire() -> int:
    """The clock's job: delete the files of register imports answered more than IMPORT_FILES_KEEP_DAYS ago."""
    return expire_files()
