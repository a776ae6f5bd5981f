"""RebuildAfterCommit (renovation/jobs/queue.py): one mark and one job per commit, for what the
committed transaction noted and nothing a rolled-back one did, read off real commits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from renovation.jobs.queue import RebuildAfterCommit, callback_waiting


class Recorder:
    def __init__(self) -> None:
        self.marked: list[list[int] | None] = []
        self.rebuilt: list[list[int]] = []
        self.refreshed = 0
        self.after = RebuildAfterCommit(
            "test", rebuild=self.rebuilt.append, refresh=self.refresh, mark=self.marked.append
        )

    def refresh(self) -> None:
        self.refreshed += 1


@pytest.fixture
def recorder():
    found = Recorder()
    yield found
    found.after.forget()


pytestmark = pytest.mark.django_db(transaction=True)


def test_one_mark_and_one_job_per_commit_for_everything_noted(recorder):
    with transaction.atomic():
        recorder.after.add([5, 2])
        recorder.after.add([3, 2])
        assert recorder.marked == [], "nothing happens before the commit"
    assert recorder.marked == [[2, 3, 5]], "one mark, the ids sorted (the order rows are locked in)"
    assert recorder.rebuilt == [[2, 3, 5]]


def test_everything_stale_refreshes_once(recorder):
    with transaction.atomic():
        recorder.after.add([4])
        recorder.after.add(None)
    assert recorder.marked == [None]
    assert recorder.refreshed == 1 and recorder.rebuilt == []


def test_ids_of_a_rolled_back_transaction_are_not_marked(recorder):
    with pytest.raises(RuntimeError), transaction.atomic():
        recorder.after.add([7])
        raise RuntimeError
    assert recorder.marked == []
    with transaction.atomic():
        recorder.after.add([8])
    assert recorder.marked == [[8]], "7 was noted by a transaction that rolled back"


def test_ids_of_a_rolled_back_savepoint_alone_are_not_marked(recorder):
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            recorder.after.add([7])
            raise RuntimeError
        recorder.after.add([9])
    assert recorder.marked == [[9]]


def test_djangos_on_commit_list_has_the_shape_it_reads():
    """The one thing read from Django's internals: the connection's ``run_on_commit`` is a list
    of (savepoint ids, callback, robust). If a Django upgrade changes it, this fails first (and
    ``callback_waiting`` answers True: nothing is dropped, see below)."""

    def callback() -> None:
        pass

    with transaction.atomic():
        transaction.on_commit(callback)
        waiting = connection.run_on_commit
        assert isinstance(waiting, list) and len(waiting[-1]) == 3 and waiting[-1][1] is callback
        assert callback_waiting(connection, callback)
        assert not callback_waiting(connection, lambda: None)


@pytest.mark.parametrize(
    "fake",
    [SimpleNamespace(), SimpleNamespace(run_on_commit=None), SimpleNamespace(run_on_commit=[{"callback": 1}])],
    ids=["no list", "not a list", "entries of another shape"],
)
def test_an_unreadable_on_commit_list_keeps_what_is_pending(fake):
    assert callback_waiting(fake, lambda: None) is True


@pytest.mark.parametrize("noted", [[6, 4], None], ids=["ids", "everything"])
def test_a_failed_mark_enqueues_the_job_that_rebuilds_regardless(caplog, noted):
    """The jobs skip rows that do not look stale (cms.tasks): rows a failed mark left looking
    current are rebuilt by ``unmarked`` instead."""
    unmarked: list[list[int] | None] = []
    rebuilt: list[list[int]] = []

    def mark(ids: list[int] | None) -> None:
        raise RuntimeError("database gone for a moment")

    after = RebuildAfterCommit(
        "test", rebuild=rebuilt.append, refresh=lambda: rebuilt.append([]), mark=mark, unmarked=unmarked.append
    )
    try:
        with transaction.atomic():
            after.add(noted)
    finally:
        after.forget()
    assert unmarked == [None if noted is None else sorted(noted)] and rebuilt == []
    assert "not marked stale" in caplog.text
