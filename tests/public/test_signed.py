"""The signature of kept public texts and the once-per-row report of an unreadable one
(renovation/public/signed.py)."""

from __future__ import annotations

import logging

import pytest

from renovation.public import signed

logger = logging.getLogger("tests.public.signed")


@pytest.fixture(autouse=True)
def _nothing_reported_yet(monkeypatch):
    monkeypatch.setattr(signed, "_reported", set())
    monkeypatch.setattr(signed, "_verified", {})


def test_it_signs_a_text_for_its_purpose_and_row(settings):
    mark = signed.signature("open data api", (1, "build"), "text")
    assert signed.is_signed(mark, "open data api", (1, "build"), "text")
    assert not signed.is_signed(mark, "open data api", (1, "build"), "text ")
    assert not signed.is_signed(mark, "open data api", (2, "build"), "text")
    assert not signed.is_signed(mark, "open data oc4ids", (1, "build"), "text")
    assert not signed.is_signed("", "open data api", (1, "build"), "text")
    assert not signed.is_signed(None, "open data api", (1, "build"), "text")
    settings.SECRET_KEY = "another site's key" * 3
    assert not signed.is_signed(mark, "open data api", (1, "build"), "text")


def test_a_text_verified_before_is_not_taken_for_another_under_its_signature(monkeypatch):
    mark = signed.signature("ocds release", ("r-1",), "text")
    assert signed.is_signed(mark, "ocds release", ("r-1",), "text")
    assert signed.is_signed(mark, "ocds release", ("r-1",), "".join(["te", "xt"]))  # the same text, another object
    assert not signed.is_signed(mark, "ocds release", ("r-1",), "tExt")
    assert not signed.is_signed(mark, "ocds release", ("r-2",), "text")
    monkeypatch.setattr(signed, "signature", lambda *args: pytest.fail("computed again"))
    assert signed.is_signed(mark, "ocds release", ("r-1",), "text")


def test_it_refuses_a_part_that_could_be_read_as_the_text():
    with pytest.raises(ValueError):
        signed.signature("open data api", (1, "build\ntext"), "")


def test_it_reports_an_unreadable_row_once_per_row_and_version(caplog):
    for _ in range(3):
        try:
            raise ValueError("bad row")
        except ValueError:
            signed.report_unreadable(logger, ("api", 1, "v1"), "project %s: unreadable", 1)
    signed.report_unreadable(logger, ("api", 1, "v2"), "project %s: unreadable", 1)
    signed.report_unreadable(logger, ("api", 2, "v1"), "project %s: unreadable", 2)
    assert [record.getMessage() for record in caplog.records] == [
        "project 1: unreadable; logged once per row and version",
        "project 1: unreadable; logged once per row and version",
        "project 2: unreadable; logged once per row and version",
    ]
    assert caplog.records[0].exc_info is not None and not caplog.records[1].exc_info


def test_its_memory_of_reported_rows_is_bounded(monkeypatch, caplog):
    monkeypatch.setattr(signed, "REPORTED_LIMIT", 2)
    for key in (1, 2, 3, 1):
        signed.report_unreadable(logger, key, "row %s", key)
    assert len(signed._reported) <= 2
    assert [record.getMessage() for record in caplog.records][-1].startswith("row 1")  # forgotten, logged again
