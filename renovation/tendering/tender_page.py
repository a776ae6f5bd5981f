"""What a tender's public page reads once it is opened, in a fixed number of queries.

The opening record (开标记录), the evaluation and the red flags all come from one query: every
public tender of the tender's street with its bids, each bid's company and evaluation, and the
winner of each award, as plain rows (compiled once per process: renovation/public/prepared.py).
The flags weigh the tender against its street's other opened tenders (redflags.py), so that query
is the one the flags needed anyway; the tender's own bids are among its rows. For the same reason
an opened tender's page changes with the street's other tenders: the view declares the scope
``tenders`` (every tender step bumps it: ``CHANGE_PAGES``) and the street's next opening time.
Bid amounts pass through the seal's readers as everywhere else (``seal.opened`` and
``seal.opened_record``: the record the clock wrote at the opening, ``Bid.opened_content``, else
``unseal``), so the page decrypts no bid once the clock recorded the openings: the rows of a
tender whose opening time has not come are skipped before anything of them is read or shown. The contract's change
orders are one query more, and only for a tender with a contract. So an awarded tender costs the
same queries whatever the number of its bids, change orders and flags.

What the page shows is what ``selectors.opening_record`` and ``selectors.tender_red_flags`` give
(tests/tendering/test_tender_page.py holds the page equal to the one rendered from them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model

from renovation.places.models import Street
from renovation.public.prepared import PreparedObjects, PreparedRows

from . import redflags
from .models import Bid, Bidder, BidEvaluation, ChangeOrder, Contract, Tender, TenderStatus
from .seal import opened as opened_content
from .seal import opened_record
from .selectors import OpeningRow, opening_row


def _in_model_order(model: type[Model], *names: str) -> tuple[str, ...]:
    """``Model.from_db`` takes a subset of the fields in the model's order."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# A tender of the street as the flags read it (``Tender.is_opened`` included) ...
_TENDER_FIELDS = _in_model_order(Tender, "id", "code", "ceiling_price", "status", "previous_id", "opening_at")
# ... each of its bids as the opening record shows it (a tender without bids: one row, bid None) ...
_BID_FIELDS = _in_model_order(
    Bid, "id", "tender_id", "bidder_id", "sealed_content", "digest", "version", "submitted_at", "opened_content"
)
_BIDDER_FIELDS = _in_model_order(Bidder, "id", "name", "uscc")  # the company as the opening record publishes it
_EVALUATION_FIELDS = tuple(field.attname for field in BidEvaluation._meta.concrete_fields)
_COLUMNS = (
    *_TENDER_FIELDS,
    "award__bidder__uscc",
    *(f"bids__{name}" for name in _BID_FIELDS),
    *(f"bids__bidder__{name}" for name in _BIDDER_FIELDS if name != "id"),
    *(f"bids__evaluation__{name}" for name in _EVALUATION_FIELDS),
)
_BID_AT = len(_TENDER_FIELDS) + 1
_BIDDER_AT = _BID_AT + len(_BID_FIELDS)
_EVALUATION_AT = _BIDDER_AT + len(_BIDDER_FIELDS) - 1
_OPENED_AT, _DIGEST_AT = (_BID_AT + _BID_FIELDS.index(name) for name in ("opened_content", "digest"))
_NAME_AT, _USCC_AT = (_BIDDER_AT + _BIDDER_FIELDS.index(name) - 1 for name in ("name", "uscc"))

# In the order the flags read them (``selectors._flag_tenders``): by opening, bids as submitted.
_STREET_BIDS = PreparedRows(
    lambda street: (
        Tender.objects.exclude(status=TenderStatus.DRAFT)
        .filter(project__neighbourhood__community__street=street)
        .order_by("opening_at", "pk", "bids__submitted_at", "bids__id")
        .values_list(*_COLUMNS)
    ),
    street=Street._meta.pk,
)
_CHANGE_ORDERS = PreparedObjects(
    lambda contract: ChangeOrder.objects.filter(contract=contract), contract=ChangeOrder._meta.get_field("contract")
)


@dataclass(frozen=True)
class Opened:
    """The opening record of the page's tender (None while sealed) and the flags about it."""

    rows: list[OpeningRow] | None
    flags: list[redflags.Flag]
    # The next opening time of another tender of the street: its bids then join the flags.
    until: datetime | None = None


def opened(tender: Tender, now: datetime) -> Opened:
    """``tender`` as the page has it (from ``selectors.public_tender``, before ``tender_as_of``):
    its opening record and its red flags, in one query; none before its opening time."""
    if not tender.is_opened(now):
        return Opened(rows=None, flags=[])
    street = tender.project.neighbourhood.community.street_id
    record: list[OpeningRow] = []
    plain = []
    until = None
    for listed, rows, winner in _street_tenders(street):
        if not listed.is_opened(now):
            until = min(until, listed.opening_at) if until is not None else listed.opening_at
            continue
        if listed.pk == tender.pk:  # its opening record, as the page shows it
            record = [_record_row(listed, row, now) for row in rows]
            bids = tuple(redflags.OpenedBid(row.uscc, row.bidder_name, row.amount) for row in record)
        else:  # the others' bids as the flags weigh them: company and amount
            bids = tuple(_opened_bid(listed, row, now) for row in rows)
        winner = winner if listed.status == TenderStatus.AWARDED else None
        plain.append(redflags.opened_tender(listed, street, bids, winner))
    flags = redflags.all_flags(plain, redflags.thresholds_from_settings())
    return Opened(rows=record, flags=redflags.flags_about(flags, tender.pk), until=until)


def _street_tenders(street: int) -> list[tuple[Tender, list[tuple[Any, ...]], str | None]]:
    """Each public tender of the street with the rows of its bids and its winner's code."""
    found: list[tuple[Tender, list[tuple[Any, ...]], str | None]] = []
    for row in _STREET_BIDS.rows(street=street):
        if not found or found[-1][0].pk != row[0]:
            listed = Tender.from_db(connection.alias, _TENDER_FIELDS, row[: len(_TENDER_FIELDS)])
            found.append((listed, [], row[len(_TENDER_FIELDS)]))
        if row[_BID_AT] is not None:
            found[-1][1].append(row)
    return found


def _sealed(tender: Tender, row: tuple[Any, ...]) -> Bid:
    bid = Bid.from_db(connection.alias, _BID_FIELDS, row[_BID_AT:_BIDDER_AT])
    bid.tender = tender
    return bid


def _record_row(tender: Tender, row: tuple[Any, ...], now: datetime) -> OpeningRow:
    """A line of the page's tender's opening record: the bid with its company and evaluation."""
    bid = _sealed(tender, row)
    bid.bidder = Bidder.from_db(connection.alias, _BIDDER_FIELDS, (bid.bidder_id, *row[_BIDDER_AT:_EVALUATION_AT]))
    evaluation = None
    if row[_EVALUATION_AT] is not None:
        evaluation = BidEvaluation.from_db(connection.alias, _EVALUATION_FIELDS, row[_EVALUATION_AT:])
        evaluation.bid = bid
    return opening_row(bid, opened_content(bid, now=now), evaluation)


def _opened_bid(tender: Tender, row: tuple[Any, ...], now: datetime) -> redflags.OpenedBid:
    """Another tender's bid as the flags weigh it: its company and what it sealed, from the
    opening's record when the clock wrote it (no bid instance made), else unsealed."""
    content = opened_record(tender, row[_OPENED_AT], row[_DIGEST_AT], now=now)
    if content is None:
        content = opened_content(_sealed(tender, row), now=now)
    return redflags.OpenedBid(row[_USCC_AT], row[_NAME_AT], content.amount)


def change_orders(contract: Contract | None) -> list[ChangeOrder]:
    """The contract's change orders as ``contract.change_orders.all()`` lists them; one query."""
    if contract is None:
        return []
    found = _CHANGE_ORDERS.objects(contract=contract.pk)
    for change in found:
        change.contract = contract
    return found


def award_and_contract(tender: Tender) -> tuple[Any, Contract | None]:
    """The award (only an awarded tender's) and its contract, read with the tender."""
    award = getattr(tender, "award", None) if tender.status == TenderStatus.AWARDED else None
    return award, getattr(award, "contract", None) if award is not None else None
