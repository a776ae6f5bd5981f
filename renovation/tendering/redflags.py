"""Red flags on tenders (围标串标风险提示), computed from opened tenders only.

The checks follow the Open Contracting Partnership's guide *Red Flags for Integrity: Giving the
green light to open data solutions* (2016) and its tool Cardinal (cardinal.readthedocs.io), which
implements its indicators on OCDS data. Each check names the flag it implements:

- ``identical_amounts`` / ``near_identical_amounts`` — the guide's "bid prices are identical or
  suspiciously close" collusion flag; identical prices are Cardinal's R028 ("Identical bid prices:
  different tenderers submitted bids with the same price"). Near-identical means within
  ``TENDER_FLAG_NEAR_IDENTICAL_SHARE`` of the higher bid (0.1% by default), the border included.
- ``ceiling_cluster`` — the guide's "bid prices cluster just under the estimated price" (bids
  tailored to the estimate, no price competition): more than half of at least two bids lie within
  ``TENDER_FLAG_CEILING_BAND`` below the ceiling price (2% by default), the border included.
- ``same_bidders`` — the guide's "the same group of companies bids repeatedly" (bid rotation,
  cover bidding): the very same set of at most ``TENDER_FLAG_SMALL_SET`` companies bid on
  ``TENDER_FLAG_SAME_SET_MIN`` or more of one street's tenders (4 and 3 by default).
- ``dominant_winner`` — the guide's "one supplier wins a disproportionate share of a buyer's
  contracts": of at least ``TENDER_FLAG_WINNER_MIN_AWARDS`` awarded tenders in a street (3), one
  company won more than half.
- ``rebid_same_bidders`` — the guide's "tender cancelled and re-announced, the same bidders take
  part": a re-announcement of a failed tender drew exactly the same companies.

A flag is a fact worth a second look, never a finding of wrongdoing; the public page states it as
a plain fact. The arithmetic below takes plain data; ``opened_tenders`` is the one loader, and it
reads bids only through ``selectors.opened_rows`` (that is, ``seal.opened``: the opening's record,
else ``seal.unseal``), so a tender that has not reached its opening time contributes nothing, to
anyone (the public tender page loads the same plain data from rows, through the seal too:
``tender_page.py``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

IDENTICAL = "identical_amounts"
NEAR_IDENTICAL = "near_identical_amounts"
CEILING_CLUSTER = "ceiling_cluster"
SAME_BIDDERS = "same_bidders"
DOMINANT_WINNER = "dominant_winner"
REBID_SAME_BIDDERS = "rebid_same_bidders"


@dataclass(frozen=True)
class Thresholds:
    near_identical_share: Decimal = Decimal("0.001")
    ceiling_band: Decimal = Decimal("0.02")
    small_set: int = 4
    same_set_min: int = 3
    winner_min_awards: int = 3


@dataclass(frozen=True)
class OpenedBid:
    bidder: str  # unified social credit code: one company, whatever its name says
    name: str
    amount: Decimal


@dataclass(frozen=True)
class OpenedTender:
    pk: int
    code: str
    street: int
    ceiling: Decimal
    bids: tuple[OpenedBid, ...]
    failed: bool = False
    previous: int | None = None  # the failed tender this one re-announces
    winner: str | None = None  # the awarded company's code


@dataclass(frozen=True)
class Flag:
    code: str
    tenders: tuple[int, ...]  # every tender the flag is about
    companies: tuple[str, ...]  # names, as the opening record publishes them
    amounts: tuple[Decimal, ...] = ()
    count: int = 0  # tenders with the same set, tenders won, or bids near the ceiling
    total: int = 0  # tenders awarded, or bids in all
    tender_codes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def links(self) -> list[tuple[int, str]]:
        """(tender id, tender number) of every tender the flag is about."""
        return list(zip(self.tenders, self.tender_codes, strict=False))


def near_identical(low: Decimal, high: Decimal, share: Decimal) -> bool:
    """Whether two amounts differ by at most ``share`` of the higher one."""
    low, high = min(low, high), max(low, high)
    return high - low <= high * share


def amount_flags(tender: OpenedTender, share: Decimal) -> list[Flag]:
    """Pairs of bids from different companies with identical or near-identical amounts."""
    flags = []
    bids = sorted(tender.bids, key=lambda bid: (bid.amount, bid.bidder))
    for index, first in enumerate(bids):
        for second in bids[index + 1 :]:
            if first.bidder == second.bidder or not near_identical(first.amount, second.amount, share):
                continue
            flags.append(
                Flag(
                    code=IDENTICAL if first.amount == second.amount else NEAR_IDENTICAL,
                    tenders=(tender.pk,),
                    companies=(first.name, second.name),
                    amounts=(first.amount, second.amount),
                    tender_codes=(tender.code,),
                )
            )
    return flags


def ceiling_flags(tender: OpenedTender, band: Decimal) -> list[Flag]:
    """More than half of at least two bids within ``band`` below the ceiling price."""
    floor = tender.ceiling * (1 - band)
    near = [bid for bid in tender.bids if floor <= bid.amount <= tender.ceiling]
    if len(tender.bids) < 2 or len(near) * 2 <= len(tender.bids):
        return []
    return [
        Flag(
            code=CEILING_CLUSTER,
            tenders=(tender.pk,),
            companies=tuple(bid.name for bid in near),
            amounts=(tender.ceiling,),
            count=len(near),
            total=len(tender.bids),
            tender_codes=(tender.code,),
        )
    ]


def same_bidder_flags(tenders: Sequence[OpenedTender], small_set: int, minimum: int) -> list[Flag]:
    """The same small set of companies (two or more) bidding on ``minimum`` tenders of a street."""
    groups: dict[tuple[int, frozenset[str]], list[OpenedTender]] = defaultdict(list)
    for tender in tenders:
        bidders = frozenset(bid.bidder for bid in tender.bids)
        if 2 <= len(bidders) <= small_set:
            groups[(tender.street, bidders)].append(tender)
    flags = []
    for (_street, bidders), members in groups.items():
        if len(members) < minimum:
            continue
        names = {bid.bidder: bid.name for tender in members for bid in tender.bids}
        flags.append(
            Flag(
                code=SAME_BIDDERS,
                tenders=tuple(tender.pk for tender in members),
                companies=tuple(sorted(names[code] for code in bidders)),
                count=len(members),
                tender_codes=tuple(tender.code for tender in members),
            )
        )
    return flags


def winner_flags(tenders: Sequence[OpenedTender], minimum: int) -> list[Flag]:
    """One company winning more than half of a street's awarded tenders (at least ``minimum``)."""
    by_street: dict[int, list[OpenedTender]] = defaultdict(list)
    for tender in tenders:
        if tender.winner is not None:
            by_street[tender.street].append(tender)
    flags = []
    for awarded in by_street.values():
        if len(awarded) < minimum:
            continue
        winner, won = Counter(tender.winner for tender in awarded).most_common(1)[0]
        if won * 2 <= len(awarded):
            continue
        names = {bid.bidder: bid.name for tender in awarded for bid in tender.bids}
        flags.append(
            Flag(
                code=DOMINANT_WINNER,
                tenders=tuple(tender.pk for tender in awarded if tender.winner == winner),
                companies=(names.get(winner, winner),),
                count=won,
                total=len(awarded),
                tender_codes=tuple(tender.code for tender in awarded if tender.winner == winner),
            )
        )
    return flags


def rebid_flags(tenders: Sequence[OpenedTender]) -> list[Flag]:
    """Re-announcements of failed tenders that drew exactly the same companies."""
    by_pk = {tender.pk: tender for tender in tenders}
    flags = []
    for tender in tenders:
        earlier = by_pk.get(tender.previous) if tender.previous is not None else None
        if earlier is None or not earlier.failed or not tender.bids:
            continue
        if {bid.bidder for bid in tender.bids} != {bid.bidder for bid in earlier.bids}:
            continue
        flags.append(
            Flag(
                code=REBID_SAME_BIDDERS,
                tenders=(earlier.pk, tender.pk),
                companies=tuple(sorted(bid.name for bid in tender.bids)),
                tender_codes=(earlier.code, tender.code),
            )
        )
    return flags


def all_flags(tenders: Sequence[OpenedTender], thresholds: Thresholds) -> list[Flag]:
    """Every flag over a set of opened tenders (several streets may be mixed)."""
    flags: list[Flag] = []
    for tender in tenders:
        flags.extend(amount_flags(tender, thresholds.near_identical_share))
        flags.extend(ceiling_flags(tender, thresholds.ceiling_band))
    flags.extend(same_bidder_flags(tenders, thresholds.small_set, thresholds.same_set_min))
    flags.extend(winner_flags(tenders, thresholds.winner_min_awards))
    flags.extend(rebid_flags(tenders))
    return flags


def share_label(share: Decimal) -> str:
    """A share as people read it: 0.02 → "2%", 0.001 → "0.1%"."""
    return f"{(share * 100).normalize():f}%"


def flags_about(flags: Iterable[Flag], tender_pk: int) -> list[Flag]:
    return [flag for flag in flags if tender_pk in flag.tenders]


# --- loading (the one path to bid amounts: the seal) -------------------------------------------


def thresholds_from_settings() -> Thresholds:
    from django.conf import settings

    return Thresholds(
        near_identical_share=settings.TENDER_FLAG_NEAR_IDENTICAL_SHARE,
        ceiling_band=settings.TENDER_FLAG_CEILING_BAND,
        small_set=settings.TENDER_FLAG_SMALL_SET,
        same_set_min=settings.TENDER_FLAG_SAME_SET_MIN,
        winner_min_awards=settings.TENDER_FLAG_WINNER_MIN_AWARDS,
    )


def opened_tenders(tenders: Iterable[Any], now: datetime) -> list[OpenedTender]:
    """Plain data of the tenders that reached their opening time (others are left out). The
    tenders must come from ``selectors.flag_tenders`` (bids, bidders and award prefetched)."""
    from .models import TenderStatus
    from .selectors import opened_rows

    result = []
    for tender in tenders:
        rows = opened_rows(tender, now)
        if rows is None:
            continue
        award = getattr(tender, "award", None)
        winner = award.bidder.uscc if award is not None and tender.status == TenderStatus.AWARDED else None
        bids = tuple(OpenedBid(row.uscc, row.bidder_name, row.amount) for row in rows)
        result.append(opened_tender(tender, tender.project.neighbourhood.community.street_id, bids, winner))
    return result


def opened_tender(tender: Any, street: int, bids: tuple[OpenedBid, ...], winner: str | None) -> OpenedTender:
    """One opened tender as plain data, from its bids (read through the seal) and its winner's
    code (None unless it is awarded)."""
    from .models import TenderStatus

    return OpenedTender(
        pk=tender.pk,
        code=tender.code,
        street=street,
        ceiling=tender.ceiling_price,
        bids=bids,
        failed=tender.status == TenderStatus.FAILED,
        previous=tender.previous_id,
        winner=winner,
    )
