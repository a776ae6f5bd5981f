"""The bank statement import, as a background job (the worker runs it; see renovation/jobs/)."""

from django_tasks import task

from .import_services import ledger_statement_import_run


@task()
def ledger_statement_import(*, import_id: int) -> str:
    """Check and import one uploaded bank statement; returns the import's final status."""
    return ledger_statement_import_run(import_id=import_id).status
