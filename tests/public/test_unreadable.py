"""An unreadable stored row is logged once per process and row as built, not on every request."""

from __future__ import annotations

import logging

from renovation.public import unreadable

logger = logging.getLogger("tests.public.unreadable")
other = logging.getLogger("tests.public.unreadable.other")


def test_it_logs_a_row_once_per_row_as_built_with_its_traceback_first(caplog):
    for _ in range(3):
        try:
            raise ValueError("bad row")
        except ValueError:
            unreadable.log_unreadable(logger, ("api", 1, "v1"), "project %s: unreadable", 1)
    unreadable.log_unreadable(logger, ("api", 1, "v2"), "project %s: unreadable", 1)
    unreadable.log_unreadable(logger, ("api", 2, "v1"), "project %s: unreadable", 2)
    unreadable.log_unreadable(other, ("api", 2, "v1"), "release %s: unreadable", 2)  # another module's row
    assert [record.getMessage() for record in caplog.records] == [
        "project 1: unreadable",
        "project 1: unreadable",
        "project 2: unreadable",
        "release 2: unreadable",
    ]
    assert caplog.records[0].exc_info is not None  # the first, inside the handler, with its traceback
    assert not caplog.records[1].exc_info  # no exception being handled: no empty traceback


def test_a_row_still_unreadable_is_logged_again_after_a_while_with_a_count(monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(unreadable.time, "monotonic", lambda: clock[0])
    for _ in range(4):
        unreadable.log_unreadable(logger, 7, "row %s", 7)
    clock[0] += unreadable.REPEAT_SECONDS
    unreadable.log_unreadable(logger, 7, "row %s", 7)
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["row 7", "row 7 (still; 4 requests since last logged)"]


def test_its_memory_of_rows_is_bounded(monkeypatch, caplog):
    monkeypatch.setattr(unreadable, "REMEMBERED_LIMIT", 2)
    for key in (1, 2, 3, 1):
        unreadable.log_unreadable(logger, key, "row %s", key)
    assert len(unreadable._logged) <= 2
    assert [record.getMessage() for record in caplog.records][-1] == "row 1"  # forgotten, logged again
