"""The worker: django-tasks-db's, plus a housekeeping thread that keeps the queue honest.

The housekeeping thread (in the worker process only; web processes start no threads) writes the
worker's heartbeat, takes back the jobs of workers that died (services.jobs_recover) and enqueues
the periodic jobs that are due (services.schedule_enqueue_due). It runs beside the job being
executed, so a long import keeps its lease and the clock keeps time for the other workers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import OperationalError, connection
from django_tasks_db.management.commands import db_worker

from .services import jobs_recover, schedule_enqueue_due, worker_heartbeat, worker_stopped

logger = logging.getLogger(__name__)


class Housekeeping(threading.Thread):
    def __init__(self, *, worker_id: str, interval: float) -> None:
        super().__init__(name="jobs-housekeeping", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopping = threading.Event()

    def tick(self) -> None:
        """One round: heartbeat, recovery, clock. A failure is logged and tried again next round."""
        try:
            worker_heartbeat(worker_id=self.worker_id, hostname=socket.gethostname(), pid=os.getpid())
            recovered = jobs_recover(alive_worker_id=self.worker_id)
            if any(recovered.values()):
                logger.warning("jobs taken back from lost workers: %s", recovered)
            schedule_enqueue_due()
        except OperationalError as error:  # SQLite busy with a long job's transaction, database restarting
            logger.warning("job queue housekeeping skipped a round: %s", error)
        except Exception:
            logger.exception("job queue housekeeping failed")

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                self.tick()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopping.set()


class Worker(db_worker.Worker):
    def run(self) -> None:
        housekeeping = Housekeeping(worker_id=self.worker_id, interval=settings.JOBS_HEARTBEAT_SECONDS)
        housekeeping.tick()  # before the first job: register, take back lost jobs, start the clock
        housekeeping.start()
        try:
            super().run()
        finally:
            housekeeping.stop()
            housekeeping.join(timeout=settings.JOBS_HEARTBEAT_SECONDS)
            try:
                worker_stopped(worker_id=self.worker_id)
            except Exception:  # the database is gone: the heartbeat simply goes stale
                logger.warning("could not sign worker %s off", self.worker_id)
