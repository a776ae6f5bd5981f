"""The bank statement import survives its worker, as the plan and register imports do: killed
(SIGKILL) while it holds its import in hand, the job is taken back by the next worker and the
entries are written exactly once.

Runs on PostgreSQL: the test holds the project's row lock, which the import takes before it reads
the ledger, so the worker is stopped inside the import's transaction every time.
"""

from __future__ import annotations

import psycopg
import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.finance.models import LedgerEntry, StatementImport
from renovation.finance.services import ledger_statement_import_start
from tests.finance.conftest import books  # noqa: F401
from tests.finance.test_ledger_statement_import import good_rows, statement
from tests.jobs.test_worker_killed_mid_import import DATABASE_BACKEND, _blocked_on_a_lock, _dsn, postgresql  # noqa: F401
from tests.jobs.workers import start_worker, stop, stored_renderings_refresh, wait_for

pytestmark = [
    pytest.mark.serial,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("site_tree"),
]


def test_it_writes_the_statement_exactly_once_after_the_worker_is_killed(
    postgresql,  # noqa: F811
    books,  # noqa: F811
    personas,
    settings,
    tmp_path,
):
    settings.TASKS = DATABASE_BACKEND
    record = ledger_statement_import_start(
        actor=personas.street_a, project=books.project, upload=statement(good_rows())
    )
    job = DBTaskResult.objects.get(task_path="renovation.finance.tasks.ledger_statement_import")

    stored_renderings_refresh()  # the worker's clock finds nothing to wait for on the locked project

    log = tmp_path / "workers.log"
    lock = psycopg.connect(_dsn())
    first = second = None
    try:
        lock.execute("SELECT id FROM projects_project WHERE id = %s FOR UPDATE", [books.project.pk])
        first = start_worker(log)
        wait_for(_blocked_on_a_lock, "the worker to wait for the locked project inside the import", log)
        record.refresh_from_db()
        job.refresh_from_db()
        assert record.status == StatementImport.Status.RUNNING
        assert job.status == TaskResultStatus.RUNNING and len(job.worker_ids) == 1

        first.kill()
        first.wait(timeout=30)
        lock.rollback()

        second = start_worker(log)
        wait_for(
            lambda: DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.SUCCESSFUL,
            "the second worker to take the job back and finish it",
            log,
        )
    finally:
        lock.close()
        for process in (first, second):
            if process is not None:
                stop(process)

    job.refresh_from_db()
    record.refresh_from_db()
    assert len(job.worker_ids) == 2 and job.worker_ids[0] != job.worker_ids[1]
    assert (record.status, record.created_count) == (StatementImport.Status.DONE, 3), record.errors
    assert LedgerEntry.objects.filter(project=books.project).count() == 3
    assert LedgerEntry.history.filter(history_type="+").count() == 3
    assert not record.workbook
