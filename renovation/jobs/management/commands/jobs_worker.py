"""Run background jobs: django-tasks-db's `db_worker` with heartbeats, recovery of jobs whose
worker died, and the clock of periodic jobs (renovation/jobs/worker.py).

Production: deploy/systemd/renovation-worker.service runs
`manage.py jobs_worker --queue-name=* --no-reload`; `make run` starts one beside the web server.
Every option of db_worker applies (--help); the queues default to all of them ("default" and "clock").
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from renovation.jobs.worker import Worker


class Command(db_worker.Command):
    help = "Run background jobs (database queue) with heartbeats, lost-job recovery and the periodic clock."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Every queue unless told otherwise: db_worker's default ("default") would never run the clock.
        parser.set_defaults(queue_name="*")

    def handle(  # type: ignore[override]
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
