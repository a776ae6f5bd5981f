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
