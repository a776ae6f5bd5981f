"""Open Contracting Data Standard 1.1 releases for our tenders (with the bids extension).

Each published change of a tender (announcement, opening, winner candidate, award, contract,
change order, payment) freezes one release — the tender as it stood then — into ``TenderRelease``.
A release is dated by the event it records (the opening time, the signing date, the payment's
booking date), not by the moment it was generated. A release built before the opening time carries
no ``bids`` and no tenderers: it is made from what the seal allows (``seal.opened``), and the seal
refuses before the opening.

Every field is one the standard (1.1.5) or the bids extension at the version declared
(``BID_EXTENSION_URL``, v1.1.5) defines; the tests run the Open Contracting Partnership's own
validator on every kind of release. v1.1.5 has no ``rank`` or ``relatedBids``: the ranking is on
the tender page, the winning bid is the award's supplier.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from renovation.public.signed import is_signed, signature
from renovation.public.unreadable import log_unreadable

from .models import (
    Award,
    BidEvaluation,
    ChangeOrderStatus,
    EvaluationMethod,
    Tender,
    TenderRelease,
    TenderStatus,
)
from .seal import opened
from .selectors import contract_current_amount

logger = logging.getLogger(__name__)

OCDS_VERSION = "1.1"
BID_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
)
CURRENCY = "CNY"


_TENDER_STATUS = {
    TenderStatus.ANNOUNCED: "active",
    TenderStatus.BIDDING: "active",
    TenderStatus.OPENED: "active",
    TenderStatus.EVALUATED: "active",
    TenderStatus.PUBLICITY: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.FAILED: "unsuccessful",
}


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def day_start(day: date) -> datetime:
    """A date as the start of that day in local time (OCDS dates are date-times)."""
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _date_iso(day: Any) -> str:
    return day_start(day).isoformat(timespec="seconds")


# Items are classified with the EU's Common Procurement Vocabulary, a scheme of the standard's
# itemClassificationScheme codelist; our own six categories have no registered scheme.
CPV_BY_CATEGORY = {
    "building": ("45453000", "Overhaul and refurbishment work"),
    "roads": ("45233140", "Roadworks"),
    "networks": ("45231000", "Construction work for pipelines, communication and power lines"),
    "greening": ("45112700", "Landscaping work"),
    "care": ("45215200", "Construction work for social services buildings"),
    "governance": ("45000000", "Construction work"),
}


def _classification(category: str) -> dict[str, Any]:
    code, description = CPV_BY_CATEGORY.get(category, ("45000000", "Construction work"))
    return {"scheme": "CPV", "id": code, "description": description}


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount), "currency": CURRENCY}


def _bidder_id(uscc: str) -> str:
    # The unified social credit code is the company's public registry identifier.
    return f"CN-USCC-{uscc}"


def street_party(street: Any) -> dict[str, Any]:
    """The street office as a party (buyer of its tenders, payer of its contracts); OC4IDS
    projects name it with the same id."""
    return {"id": f"street-{street.pk}", "name": f"{street.name}办事处"}


def _buyer(tender: Tender) -> dict[str, Any]:
    return street_party(tender.project.neighbourhood.community.street)


def tender_for_release(tender_id: int) -> Tender:
    """The tender with everything a release reads, in a fixed number of queries."""
    return (
        Tender.objects.select_related("project__neighbourhood__community__street", "kind")
        .prefetch_related(
            "work_items",
            "bids__bidder",
            Prefetch("bids__evaluation", queryset=BidEvaluation.objects.all()),
            Prefetch("award", queryset=Award.objects.select_related("bidder", "contract")),
        )
        .get(pk=tender_id)
    )


def _tender_section(tender: Tender, now: datetime, opened_rows: list[dict[str, Any]] | None) -> dict[str, Any]:
    section: dict[str, Any] = {
        "id": tender.code,
        "title": tender.title,
        "description": tender.announcement,
        "status": _TENDER_STATUS.get(tender.phase(now), "planning"),
        "value": _value(tender.ceiling_price),
        "procurementMethod": "open",
        "procurementMethodDetails": "业标街管（街道公共资源交易渠道）",
        "mainProcurementCategory": tender.kind.category,
        "awardCriteria": "priceOnly" if tender.method == EvaluationMethod.LOWEST_PRICE else "ratedCriteria",
        "tenderPeriod": {"startDate": _iso(tender.bid_period_start), "endDate": _iso(tender.bid_period_end)},
        "items": [
            {
                "id": str(item.pk),
                "description": item.description,
                "classification": _classification(item.category),
                **({"quantity": float(item.quantity)} if item.quantity is not None else {}),
                **({"unit": {"name": item.unit}} if item.unit else {}),
            }
            for item in tender.work_items.all()
        ],
    }
    if tender.method == EvaluationMethod.COMPREHENSIVE:
        section["awardCriteriaDetails"] = f"价格分权重 {tender.price_weight}%，技术分权重 {tender.technical_weight}%"
    if tender.publicity_start and tender.publicity_end:
        section["awardPeriod"] = {"startDate": _iso(tender.publicity_start), "endDate": _iso(tender.publicity_end)}
    if opened_rows is not None:
        section["numberOfTenderers"] = len(opened_rows)
        section["tenderers"] = [{"id": row["party_id"], "name": row["name"]} for row in opened_rows]
    return section


def _opened_rows(tender: Tender, now: datetime) -> list[dict[str, Any]] | None:
    if not tender.is_opened(now):
        return None
    rows = []
    for bid in tender.bids.all():
        content = opened(bid, now=now)
        # A missing reverse one-to-one raises a subclass of AttributeError: getattr's default applies.
        evaluation = getattr(bid, "evaluation", None)
        rows.append(
            {
                "bid": bid,
                "party_id": _bidder_id(bid.bidder.uscc),
                "name": bid.bidder.name,
                "uscc": bid.bidder.uscc,
                "content": content,
                "evaluation": evaluation,
            }
        )
    return rows


def _is_valid(row: dict[str, Any]) -> bool:
    return row["evaluation"] is not None and row["evaluation"].compliant


def _bids_section(tender: Tender, rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    evaluated = tender.status in (TenderStatus.PUBLICITY, TenderStatus.AWARDED)
    details = []
    for row in rows:
        detail: dict[str, Any] = {
            "id": row["bid"].digest[:16],
            "date": row["content"].submitted_at,
            "status": "pending",
            "tenderers": [{"id": row["party_id"], "name": row["name"]}],
            "value": _value(row["content"].amount),
        }
        if evaluated and row["evaluation"] is not None:
            detail["status"] = "valid" if _is_valid(row) else "disqualified"
        details.append(detail)
    opened = _iso(tender.opening_at)
    statistics: list[dict[str, Any]] = [{"id": "bids", "measure": "bids", "value": len(rows), "date": opened}]
    if evaluated:
        # The codelist's "valid" bids: those that met the requirements; disqualified ones never count.
        valid = [row["content"].amount for row in rows if _is_valid(row)]
        statistics.append({"id": "validBids", "measure": "validBids", "value": len(valid)})
        if valid:
            statistics.append(
                {
                    "id": "lowestValidBidValue",
                    "measure": "lowestValidBidValue",
                    "value": float(min(valid)),
                    "currency": CURRENCY,
                }
            )
    return {"statistics": statistics, "details": details}


def _award_section(tender: Tender, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    award = getattr(tender, "award", None)
    if award is not None:
        return [
            {
                "id": f"{tender.code}-award",
                "title": tender.title,
                "status": "active",
                "date": _iso(award.awarded_at),
                "value": _value(award.amount),
                "suppliers": [{"id": _bidder_id(award.bidder.uscc), "name": award.bidder.name}],
                "contractPeriod": {"durationInDays": award.duration_days},
            }
        ]
    candidate = next((row for row in rows if row["evaluation"] is not None and row["evaluation"].rank == 1), None)
    if tender.status == TenderStatus.PUBLICITY and candidate is not None:
        return [
            {
                "id": f"{tender.code}-award",
                "title": tender.title,
                "status": "pending",
                "description": "中标候选人公示",
                "value": _value(candidate["content"].amount),
                "suppliers": [{"id": candidate["party_id"], "name": candidate["name"]}],
                "contractPeriod": {"durationInDays": candidate["content"].duration_days},
            }
        ]
    return []


def _contract_section(tender: Tender, award: Award | None) -> list[dict[str, Any]]:
    contract = getattr(award, "contract", None) if award is not None else None
    if contract is None:
        return []
    approved = [change for change in contract.change_orders.all() if change.status == ChangeOrderStatus.APPROVED]
    current = contract_current_amount(contract)
    section: dict[str, Any] = {
        "id": contract.number,
        "awardID": f"{tender.code}-award",
        "title": tender.title,
        "status": "active",
        "value": _value(current),
        "dateSigned": _date_iso(contract.signed_on),
        "period": {"startDate": _date_iso(contract.start_on), "endDate": _date_iso(contract.end_on)},
    }
    if approved:
        section["amendments"] = [
            {
                "id": str(change.sequence),
                "date": _date_iso(change.decided_on) if change.decided_on else _iso(change.proposed_at),
                "rationale": change.reason,
                "description": (
                    f"合同金额变更 {change.amount_change:+.2f} 元（批准依据：{change.approval_reference or '—'}）"
                ),
            }
            for change in approved
        ]
    transactions = implementation_transactions(contract, payer=_buyer(tender))
    if transactions:
        section["implementation"] = {"transactions": transactions}
    return [section]


def implementation_transactions(contract: Any, *, payer: dict[str, Any]) -> list[dict[str, Any]]:
    """Payments made on the contract, once the ledger records them (the finance app). The bank
    agent's reference identifies the transaction (``source`` would have to be a URI); the payer
    is the buyer, the payee the contractor, both in ``parties`` with those roles."""
    payments = getattr(contract, "ledger_entries", None)
    if payments is None:
        return []
    payee = {"id": _bidder_id(contract.contractor.uscc), "name": contract.contractor.name}
    transactions, seen = [], set()
    for entry in payments.all():
        # Transaction ids must be unique within the contract; a reference used twice keeps both apart.
        identifier = entry.bank_reference or f"ledger-{entry.pk}"
        if identifier in seen:
            identifier = f"{identifier}-{entry.pk}"
        seen.add(identifier)
        transactions.append(
            {
                "id": identifier,
                "date": _date_iso(entry.booked_on),
                "value": _value(entry.amount),
                "payer": payer,
                "payee": payee,
            }
        )
    return transactions


def _parties(tender: Tender, rows: list[dict[str, Any]] | None, buyer: dict[str, Any]) -> list[dict[str, Any]]:
    award = getattr(tender, "award", None)
    contract = getattr(award, "contract", None) if award is not None else None
    paid = contract is not None and contract.ledger_entries.exists()
    parties = [{**buyer, "roles": ["buyer", "procuringEntity", *(["payer"] if paid else [])]}]
    for row in rows or []:
        roles = ["tenderer"]
        if award is not None and award.bidder.uscc == row["uscc"]:
            roles.append("supplier")
            if paid:
                roles.append("payee")
        parties.append(
            {
                "id": row["party_id"],
                "name": row["name"],
                "identifier": {"scheme": "CN-USCC", "id": row["uscc"], "legalName": row["name"]},
                "roles": roles,
            }
        )
    return parties


def release_build(tender: Tender, *, tags: list[str], now: datetime | None = None) -> dict[str, Any]:
    """The release of the tender as it stands at ``now`` (dated ``now`` until the caller dates it)."""
    now = now or timezone.now()
    rows = _opened_rows(tender, now)
    buyer = _buyer(tender)
    release: dict[str, Any] = {
        "ocid": tender.ocid,
        "id": "",
        "date": _iso(now),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
        "parties": _parties(tender, rows, buyer),
        "buyer": buyer,
        "tender": _tender_section(tender, now, rows),
    }
    if rows is not None:
        release["bids"] = _bids_section(tender, rows, now)
        awards = _award_section(tender, rows)
        if awards:
            release["awards"] = awards
        contracts = _contract_section(tender, getattr(tender, "award", None))
        if contracts:
            release["contracts"] = contracts
    return release


def release_record(
    tender: Tender, *, tags: list[str], now: datetime | None = None, date: datetime | None = None
) -> TenderRelease:
    """Freeze the tender as it stands now into a new release (inside the caller's transaction),
    dated ``date``: when the event it records happened (``now`` when that is the moment)."""
    now = now or timezone.now()
    date = date or now
    fresh = tender_for_release(tender.pk)
    data = release_build(fresh, tags=tags, now=now)
    data["date"] = _iso(date)
    sequence = TenderRelease.objects.filter(tender=tender).count() + 1
    data["id"] = f"{tender.ocid}-{sequence:03d}-{tags[0]}"
    return TenderRelease.objects.create(
        tender=tender,
        release_id=data["id"],
        date=date,
        tags=tags,
        data=data,
        # Encoded once, here, in the service's transaction: the endpoints stream this text.
        text=(text := release_text(data)),
        text_format=RELEASE_TEXT_FORMAT,
        text_signature=release_signature(data["id"], text),
    )


# The encoding of ``TenderRelease.text``. Change ``release_text`` and raise this: older copies are
# encoded live until the clock encodes them again (``release_texts_refresh``).
# 2: signed with the site's key (``text_signature``).
RELEASE_TEXT_FORMAT = 2
RELEASE_SIGNED_AS = "ocds release"  # the purpose of its signature (renovation.public.signed)


def release_text(data: dict[str, Any]) -> str:
    """A release as JSON text, as the endpoints send it."""
    return json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)


def release_signature(release_id: str, text: str) -> str:
    """The HMAC of a release's stored text with the site's key, for the release it belongs to."""
    return signature(RELEASE_SIGNED_AS, (release_id,), text)


def _kept(release_id: str, text: str, text_format: int, given: str) -> bool:
    """Whether a release's stored text may be sent: of the current format and signed by this site
    (a text altered or copied by hand is logged once per process and encoded live)."""
    if not text or text_format != RELEASE_TEXT_FORMAT:
        return False
    if is_signed(given, RELEASE_SIGNED_AS, (release_id,), text):
        return True
    log_unreadable(
        logger, (release_id, given), "release %s: its text is not signed by this site, read live", release_id
    )
    return False


def release_texts_refresh(batch: int = 500) -> int:
    """Encode again from ``data``, and sign, every stored release text that this site would not send:
    of an older format, or not verified by its key (after a new ``SECRET_KEY``, or a text altered by
    hand). The clock runs it (JOBS_SCHEDULE), so a key rotation leaves the OCDS endpoints encoding
    live for an hour at most, not for good. What the endpoints send does not change (they sent
    ``data`` encoded live meanwhile), so no page is invalidated. Returns how many it wrote."""
    written = 0
    last = 0
    while True:
        rows = list(
            TenderRelease.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "release_id", "text", "text_format", "text_signature")[:batch]
        )
        if not rows:
            return written
        last = rows[-1][0]
        stale = [
            pk
            for pk, release_id, text, text_format, given in rows
            if not text
            or text_format != RELEASE_TEXT_FORMAT
            or not is_signed(given, RELEASE_SIGNED_AS, (release_id,), text)
        ]
        releases = list(TenderRelease.objects.filter(pk__in=stale).only("pk", "release_id", "data"))
        for release in releases:
            release.text = release_text(release.data)
            release.text_format = RELEASE_TEXT_FORMAT
            release.text_signature = release_signature(release.release_id, release.text)
        TenderRelease.objects.bulk_update(releases, ["text", "text_format", "text_signature"])
        written += len(releases)


def release_texts(releases: Any) -> list[str]:
    """The releases of a queryset as JSON text, in its order: the stored text where it is current
    and signed, else ``data`` encoded live (one more query, for those only). Reads only; never
    stores."""
    rows = list(releases.values_list("pk", "release_id", "text", "text_format", "text_signature"))
    stale = [row[0] for row in rows if not _kept(*row[1:])]
    live = dict(TenderRelease.objects.filter(pk__in=stale).values_list("pk", "data")) if stale else {}
    return [release_text(live[pk]) if pk in live else text for pk, _id, text, *_rest in rows]


def publication_policy_url(request: Any) -> str:
    """The page that states how and when we publish (``publicationPolicy`` must be its URL)."""
    return request.build_absolute_uri(reverse("tendering:open_data_policy"))


def release_package(
    releases: list[dict[str, Any]], *, uri: str, policy: str | None = None, published: datetime | None = None
) -> dict[str, Any]:
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [BID_EXTENSION_URL],
        "publishedDate": _iso(published or timezone.now()),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        # One licence for every dataset (OPEN_DATA_LICENCE, CC BY 4.0 unless the bureau chose another).
        "license": settings.OPEN_DATA_LICENCE,
    }
    if policy:
        package["publicationPolicy"] = policy
    package["releases"] = releases
    return package


def package_chunks(package: dict[str, Any], releases: Iterable[str]) -> Iterator[str]:
    """A release package as JSON text, a release at a time: the package's own fields (``package``
    with an empty ``releases``, which must come last) around the releases' texts as they are."""
    head = json.dumps(package, ensure_ascii=False, cls=DjangoJSONEncoder)
    yield head[: head.rindex("[")] + "["
    for index, text in enumerate(releases):
        if index:
            yield ","
        yield text  # as it is: no copy of it to prefix the comma
    yield "]}"
