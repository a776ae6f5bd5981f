"""Real worker processes (`manage.py jobs_worker`) on the test database, for the tests of the queue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Generous bounds for a loaded 2-core machine; they bound waiting, they assert nothing about speed.
WAIT_SECONDS = 180


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker on this test's own database and uploads, with short leases."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renovation.settings.test",
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "JOBS_HEARTBEAT_SECONDS": "1",
        "JOBS_LEASE_SECONDS": "3",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def start_worker(log: Path, **extra: str) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "jobs_worker", "--queue-name=*", "--no-reload"]
    command += ["--no-startup-delay", "--interval=0.2", "-v", "2"]
    handle = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=worker_env(**extra), stdout=handle, stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], Any], what: str, log: Path | None = None) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"gave up waiting for {what}\n{tail}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def in_process_worker(worker_id: str = "test-worker") -> Any:
    """The worker of `manage.py jobs_worker`, in this process: runs what is queued, then stops."""
    from renovation.jobs.worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def stored_renderings_refresh() -> None:
    """Bring every stored rendering up to date, as the worker's clock would: a test that holds a
    project's row lock then finds the worker waiting inside the job it watches, not inside a clock
    job writing a row whose foreign key names the locked project."""
    from cms.home_summary import home_summary_refresh
    from cms.index_counts import index_counts_refresh
    from cms.summary import project_summaries_refresh
    from renovation.opendata.stored import project_open_data_refresh

    project_summaries_refresh()
    project_open_data_refresh()
    home_summary_refresh()
    index_counts_refresh()
