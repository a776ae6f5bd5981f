"""Sealing bids: encrypted at rest until the opening time, with a digest the bidder can check.

The amount, duration and proposal file of a bid exist in the database and on disk only as
Fernet tokens until the opening. ``unseal`` is the one decrypter, and it refuses before the
tender's opening time. So every other path — admin lists, history rows, exports, search, the API,
sockets — sees ciphertext, whoever asks; the seal does not depend on each screen remembering to
hide the figures.

When the clock records the opening (``services.tender_catch_up``, after the opening time), it
writes each bid's unsealed text beside the token (``Bid.opened_content``): it is public from then
on, and pages read it through ``opened`` instead of decrypting every bid of a street on every
request. ``opened`` refuses before the opening time just as ``unseal`` does, and falls back to
``unseal`` for a bid whose opening is not recorded yet.

The digest is the SHA-256 of the canonical JSON of what was sealed (including a random nonce, so a
digest cannot be matched against guessed amounts). The bidder gets it on the receipt; the opening
record publishes it with the content, so anyone can recompute it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Bid, Tender


class SealedError(Exception):
    """Raised when anything tries to read a bid before its tender's opening time."""


@dataclass(frozen=True)
class BidContent:
    tender: str  # the tender's ocid
    bidder: str  # unified social credit code
    amount: Decimal
    duration_days: int
    proposal_name: str
    proposal_sha256: str
    submitted_at: str  # ISO 8601
    nonce: str

    def canonical(self) -> str:
        """The exact text the digest is taken over: sorted keys, no spaces, amount with 2 decimals."""
        return json.dumps(
            {
                "amount": f"{self.amount:.2f}",
                "bidder": self.bidder,
                "duration_days": self.duration_days,
                "nonce": self.nonce,
                "proposal_name": self.proposal_name,
                "proposal_sha256": self.proposal_sha256,
                "submitted_at": self.submitted_at,
                "tender": self.tender,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    @classmethod
    def from_canonical(cls, text: str) -> BidContent:
        data = json.loads(text)
        return cls(
            tender=data["tender"],
            bidder=data["bidder"],
            amount=Decimal(data["amount"]),
            duration_days=int(data["duration_days"]),
            proposal_name=data["proposal_name"],
            proposal_sha256=data["proposal_sha256"],
            submitted_at=data["submitted_at"],
            nonce=data["nonce"],
        )


def new_content(
    *,
    tender: Tender,
    bidder_uscc: str,
    amount: Decimal,
    duration_days: int,
    proposal_name: str,
    proposal_bytes: bytes,
    submitted_at: datetime,
) -> BidContent:
    return BidContent(
        tender=tender.ocid,
        bidder=bidder_uscc,
        amount=amount.quantize(Decimal("0.01")),
        duration_days=duration_days,
        proposal_name=proposal_name,
        proposal_sha256=hashlib.sha256(proposal_bytes).hexdigest(),
        submitted_at=submitted_at.isoformat(timespec="seconds"),
        nonce=secrets.token_hex(16),
    )


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        # Development and tests only (production.py requires BID_SEAL_KEYS).
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"renovation-bid-seal", info=b"fernet").derive(
            secret_key.encode("utf-8")
        )
        keys = (base64.urlsafe_b64encode(derived).decode("ascii"),)
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"BID_SEAL_KEYS holds a key that is not a Fernet key: {error}") from error


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.BID_SEAL_KEYS), settings.SECRET_KEY)


def seal_content(content: BidContent) -> str:
    return cipher().encrypt(content.canonical().encode("utf-8")).decode("ascii")


def seal_file(data: bytes) -> bytes:
    return cipher().encrypt(data)


def _require_opened(tender: Tender, now: datetime | None) -> None:
    if not tender.is_opened(now):
        raise SealedError(f"Tender {tender.code} is sealed until {tender.opening_at.isoformat()}.")


def unsealed_text(bid: Bid, *, now: datetime | None = None) -> str:
    """The canonical text that was sealed (its SHA-256 is the bid's digest) — only at or after
    the tender's opening time."""
    _require_opened(bid.tender, now)
    try:
        return cipher().decrypt(bid.sealed_content.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            f"Bid {bid.pk} cannot be decrypted with BID_SEAL_KEYS: was a key removed?"
        ) from error


def unseal(bid: Bid, *, now: datetime | None = None) -> BidContent:
    """What was bid — only at or after the tender's opening time."""
    return BidContent.from_canonical(unsealed_text(bid, now=now))


def opened(bid: Bid, *, now: datetime | None = None) -> BidContent:
    """What was bid, as the opening recorded it (``Bid.opened_content``, written by the clock at
    the opening) — only at or after the tender's opening time, like ``unseal``. A bid whose opening
    the clock has not recorded yet, or whose recorded text is not the one its digest was taken
    over (altered by hand), is unsealed instead: the page shows the same either way."""
    recorded = opened_record(bid.tender, bid.opened_content, bid.digest, now=now)
    return recorded if recorded is not None else unseal(bid, now=now)


def opened_record(tender: Tender, text: str, digest: str, *, now: datetime | None = None) -> BidContent | None:
    """A bid of ``tender`` as its opening recorded it (its ``opened_content`` and ``digest``, for
    a reader that has them without the bid), or None when there is no such record or the text is
    not the one the digest was taken over: then the bid is to be unsealed. Refuses before the
    tender's opening time, like ``unseal``."""
    _require_opened(tender, now)
    if text and hashlib.sha256(text.encode("utf-8")).hexdigest() == digest:
        return BidContent.from_canonical(text)
    return None


def unseal_file(bid: Bid, *, now: datetime | None = None) -> bytes:
    _require_opened(bid.tender, now)
    with bid.sealed_file.open("rb") as handle:
        token = handle.read()
    return cipher().decrypt(token)
