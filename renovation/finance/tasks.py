"""The bank statement import, as a background job (the worker runs it; see renovation/jobs/)."""

from django_tasks import task

from .import_services import ledger_statement_import_files_expire as expire_files
from .import_services import ledger_statement_import_run


@task()
def ledger_statement_import(*, import_id: int) -> str:
    """Check and import one uploaded bank statement; returns the import's final status."""
    return ledger_statement_import_run(import_id=import_id).status


@task()
def ledger_statement_import_files_expire() -> int:
    """The clock's job: delete the files of statement imports answered more than IMPORT_FILES_KEEP_DAYS ago."""
    return expire_files()
