"""Texts the public pages keep in the database, signed with the site's key.

A kept text (an OC4IDS project, an OCDS release, a CSV line) is sent as it is, so a row altered by
hand in the database, or copied from another row or another installation, would be published as
it stands. Each is written with an HMAC of the site's secret over what it is (``purpose``), which
row it belongs to and how it was made (``parts``) and the text itself; the reader sends it only if
the HMAC matches, and otherwise encodes the text live from the records.

A row that fails the check fails it on every request until it is rebuilt: the readers log it with
``renovation.public.unreadable.log_unreadable`` (once per row as built in each process), not on
every request of a busy page.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "renovation.public.signed"


def signature(purpose: str, parts: tuple[str | int, ...], text: str | bytes) -> str:
    """The HMAC (SHA-256, hex) of ``text`` kept as ``purpose`` for the row ``parts`` name. None of
    ``purpose`` and ``parts`` may hold a line break: the text comes last, so no two texts of
    different rows or purposes sign the same message. A text given as bytes is its UTF-8 encoding
    (a reader that never decoded it), and has the same signature as the text."""
    head = [purpose, *map(str, parts)]
    if any("\n" in part for part in head):
        raise ValueError("a signed text's purpose and parts must be single lines")
    message = "\n".join([*head, ""]).encode() + (text if isinstance(text, bytes) else text.encode())
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()


# Texts verified already, by what the check reads but the text: the same text under the same
# signature and key verifies again, so a page compares the kept texts it sent before with their
# verified copy (a memory comparison) instead of computing their HMAC on every request (about half
# the CPU of a page of a hundred OC4IDS projects). Bounded by the characters (or bytes) it holds.
# A text read as bytes is remembered as bytes: it is only ever equal to bytes.
_verified: dict[tuple[str, tuple[str, ...], str, str], str | bytes] = {}
_verified_size = 0
VERIFIED_CHARACTERS_LIMIT = 16_000_000


def is_signed(given: str | None, purpose: str, parts: tuple[str | int, ...], text: str | bytes) -> bool:
    """Whether ``given`` is this site's signature of the text (in constant time); the text as it
    is, or as its UTF-8 bytes."""
    global _verified_size
    if not given:
        return False
    key = (purpose, tuple(map(str, parts)), given, settings.SECRET_KEY)
    if _verified.get(key) == text:
        return True
    if not constant_time_compare(given, signature(purpose, parts, text)):
        return False
    if _verified_size + len(text) > VERIFIED_CHARACTERS_LIMIT:
        _verified.clear()
        _verified_size = 0
    _verified[key] = text
    _verified_size += len(text)
    return True


def key_digest() -> bytes:
    """A digest of the site's key (not the key): part of a kept text's build, so that a new key
    makes the texts stale and they are signed again, instead of being encoded live for good."""
    return salted_hmac(_SALT, "build", algorithm="sha256").digest()
