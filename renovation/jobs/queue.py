"""Enqueue a job that must run only if the current transaction commits.

With the database backend the job row is written in the caller's transaction: it commits with the
change it belongs to or disappears with it (no window in which the change is saved and its job
lost), and no worker can see it before the commit. Any other backend (the immediate one in tests)
enqueues after the commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks.base import Task, TaskResult
from django_tasks_db import DatabaseBackend


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> TaskResult | None:
    """The queued job (database backend), or None when it is enqueued only after the commit."""
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    return None
