"""How the job queue stands: waiting, running and failed jobs, and the workers alive.

For operations and `make prod-check`: `--require-worker` exits with status 1 unless a worker has
written its heartbeat within JOBS_LEASE_SECONDS (`--wait N` gives one N seconds to start).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks_db.models import DBTaskResult

from renovation.jobs.selectors import queue_counts, workers_alive


class Command(BaseCommand):
    help = "Show waiting, running and failed jobs and the workers alive; --require-worker fails without one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--require-worker", action="store_true", help="Exit 1 unless a worker is alive.")
        parser.add_argument("--wait", type=int, default=0, help="Seconds to wait for a worker (with --require-worker).")

    def handle(self, *args: Any, require_worker: bool, wait: int, **options: Any) -> None:
        deadline = time.monotonic() + max(wait, 0)
        workers = workers_alive()
        while require_worker and not workers and time.monotonic() < deadline:
            time.sleep(1)
            workers = workers_alive()
        counts = queue_counts()
        failed = DBTaskResult.objects.failed().count()
        self.stdout.write(f"jobs: {counts['waiting']} waiting, {counts['running']} running, {failed} failed")
        for worker in workers:
            self.stdout.write(f"worker {worker.worker_id} on {worker} since {worker.started_at:%Y-%m-%d %H:%M:%S}")
        if require_worker and not workers:
            raise CommandError("no job worker is alive (start renovation-worker, or `manage.py jobs_worker`)")
