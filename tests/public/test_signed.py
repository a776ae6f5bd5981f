"""The signature of kept public texts and the once-per-row report of an unreadable one
(renovation/public/signed.py)."""

from __future__ import annotations

import logging

import pytest

from renovation.public import signed

logger = logging.getLogger("tests.public.signed")


@pytest.fixture(autouse=True)
def _nothing_verified_yet(monkeypatch):
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


def test_a_text_read_as_utf8_bytes_has_the_signature_of_the_text():
    mark = signed.signature("open data oc4ids", (1, "build"), "旧改")
    assert signed.signature("open data oc4ids", (1, "build"), "旧改".encode()) == mark
    assert signed.is_signed(mark, "open data oc4ids", (1, "build"), "旧改".encode())
    assert signed.is_signed(mark, "open data oc4ids", (1, "build"), "旧改".encode())  # verified before
    assert not signed.is_signed(mark, "open data oc4ids", (1, "build"), "旧政".encode())
    assert not signed.is_signed(mark, "open data oc4ids", (2, "build"), "旧改".encode())
