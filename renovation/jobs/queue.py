"""Enqueue a job that must run only if the current transaction commits.

With the database backend the job row is written in the caller's transaction: it commits with the
change it belongs to or disappears with it (no window in which the change is saved and its job
lost), and no worker can see it before the commit. Any other backend (the immediate one in tests)
enqueues after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.local import Local
from django.db import transaction
from django_tasks.base import Task, TaskResult
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> TaskResult | None:
    """The queued job (database backend), or None when it is enqueued only after the commit."""
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    return None


def callback_waiting(connection: Any, callback: Callable[[], Any]) -> bool:
    """Whether ``callback`` waits in ``connection``'s on-commit list (see
    ``RebuildAfterCommit._awaiting_commit``); True when the list cannot be read."""
    waiting = getattr(connection, "run_on_commit", None)
    if not isinstance(waiting, list):
        return True
    try:
        return any(entry[1] == callback for entry in waiting)
    except (TypeError, IndexError, KeyError):
        return True


class RebuildAfterCommit:
    """One rebuild job per transaction for a stored rendering (a project's summary, the home
    page's, a project's open-data texts) that changes make stale.

    ``add(ids)`` remembers what the transaction made stale (``None``: everything) and, once it has
    committed, the first of its callbacks does the work for all of it: ``mark(ids)`` (optional;
    the sorted ids or None) marks the rows stale, then one job is enqueued: ``rebuild(ids)`` or,
    when everything is stale, ``refresh()``; the later callbacks of the same commit find nothing
    left. Marking after the commit takes no row lock inside the change's transaction: rows that
    every change marks (the home page's) or that every change of a project marks (its summary, its
    open-data texts) would otherwise queue each such transaction behind the others until their
    commits, and two transactions that marked the same rows in opposite orders (projects A then B,
    and B then A) would deadlock; ``mark`` gets the ids sorted, to lock them in that order. The
    callbacks run before the page cache is invalidated (``pages_changed`` registers them first), so
    no page is cached from the old rows under the new versions. Ids noted by a transaction or
    savepoint that rolled back are dropped by the next ``add`` that finds no callback of ours
    waiting (ids noted in a savepoint rolled back within a transaction that noted others before it
    are marked with those: harmless, they render live until rebuilt). A mark or job that fails is
    logged: the change is committed, and the job (or the clock) rebuilds. The jobs skip rows that
    are not stale (a burst's later jobs, the first having rebuilt them): when the mark failed, the
    rows still look current, so ``unmarked(ids)`` (if given) enqueues a job that rebuilds them
    whatever they look like instead.
    Per thread and per asynchronous context (asgiref's Local), like Django's own connections."""

    def __init__(
        self,
        name: str,
        *,
        rebuild: Callable[[list[int]], Any],
        refresh: Callable[[], Any],
        mark: Callable[[list[int] | None], Any] | None = None,
        unmarked: Callable[[list[int] | None], Any] | None = None,
    ) -> None:
        self.name = name
        self.rebuild = rebuild
        self.refresh = refresh
        self.mark = mark
        self.unmarked = unmarked
        self._pending = Local()

    def add(self, ids: Iterable[int] | None) -> None:
        if not self._awaiting_commit():
            self.forget()  # noted by a transaction (or savepoint) that rolled back: not to be marked
        if ids is None:
            self._pending.everywhere = True
        else:
            pending = getattr(self._pending, "ids", None)
            if pending is None:
                pending = self._pending.ids = set()
            pending.update(ids)
        transaction.on_commit(self._enqueue)

    def _awaiting_commit(self) -> bool:
        """Whether a callback of ours waits for the current transaction's commit: if not, what is
        pending was noted by a transaction or savepoint that rolled back (Django dropped its
        callbacks), and nothing of it changed. Reads the connection's list of callbacks, as
        Django's own ``TestCase.captureOnCommitCallbacks`` does. That list is not a public API: if
        it is gone or its entries change shape (a Django upgrade), this answers True, so nothing
        pending is dropped; ids of a rolled-back transaction are then marked too, which is harmless
        (they render live until rebuilt). tests/jobs/test_queue.py pins the shape it reads."""
        return callback_waiting(transaction.get_connection(), self._enqueue)

    def forget(self) -> None:
        """Drop what is pending (tests: what an earlier test's rolled-back transaction noted)."""
        self._pending.ids, self._pending.everywhere = None, False

    def _enqueue(self) -> None:
        ids, self._pending.ids = getattr(self._pending, "ids", None), None
        everywhere, self._pending.everywhere = getattr(self._pending, "everywhere", False), False
        if not everywhere and not ids:
            return  # an earlier callback of the same commit did it
        stale = None if everywhere else sorted(ids)
        marked = True
        if self.mark is not None:
            try:
                self.mark(stale)
            except Exception:
                marked = False
                logger.exception("%s %s: not marked stale", self.name, "all" if everywhere else stale)
        try:
            if not marked and self.unmarked is not None:  # the rows look current: rebuilt regardless
                self.unmarked(stale)
            elif everywhere:  # everything stale, ``ids`` included
                self.refresh()
            else:
                self.rebuild(stale)
        except Exception:
            logger.exception("%s %s: rebuild not enqueued", self.name, "all" if everywhere else stale)
