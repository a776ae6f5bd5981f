"""Reads for the tendering pages, the admin, exports and the project gate.

Every figure of a bid passes through the seal (``seal.opened``: the record the clock wrote at the
opening, else ``seal.unseal``): before the opening time these selectors return no bid data at all
(not even how many bids there are, except ``bids_received`` for staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.places.models import Street
from renovation.projects.models import Project, WorkItem
from renovation.projects.selectors import projects_manageable_by
from renovation.public.prepared import PreparedObjects, PreparedRows

from .models import (
    SEALED_STATUSES,
    Award,
    Bid,
    BidEvaluation,
    ChangeOrder,
    Contract,
    Objection,
    Tender,
    TenderStatus,
)
from .seal import BidContent, opened


@dataclass(frozen=True)
class OpeningRow:
    """One line of the opening record (开标记录)."""

    bid: Bid
    bidder_name: str
    uscc: str
    amount: Decimal
    duration_days: int
    proposal_name: str
    digest: str
    canonical: str
    submitted_at: datetime
    version: int
    evaluation: BidEvaluation | None


def tender_detail_queryset() -> QuerySet[Tender]:
    return Tender.objects.select_related(
        "project__neighbourhood__community__street", "kind", "previous"
    ).prefetch_related("work_items")


def public_tenders() -> QuerySet[Tender]:
    """Every tender the public may see: announced or later."""
    return tender_detail_queryset().exclude(status=TenderStatus.DRAFT)


_PUBLIC_TENDER = PreparedObjects(
    lambda pk: (
        Tender.objects.select_related(
            "project__neighbourhood__community__street", "kind", "previous", "award__bidder", "award__contract"
        )
        .exclude(status=TenderStatus.DRAFT)
        .filter(pk=pk)
    ),
    pk=Tender._meta.pk,
)
_WORKS_COVERED = PreparedObjects(lambda pk: WorkItem.objects.filter(tenders=pk), pk=Tender._meta.pk)
_OBJECTIONS = PreparedObjects(
    lambda pk: Objection.objects.filter(tender=pk).order_by("lodged_at"), pk=Objection._meta.get_field("tender")
)


def public_tender(pk: int) -> Tender | None:
    """A public tender as ``public_tenders()`` gives it (with its works covered, and its award with
    the winner and the contract when it has one), for its public page: the queries compiled once
    per process (renovation/public/prepared.py)."""
    found = _PUBLIC_TENDER.objects(pk=pk)
    if not found:
        return None
    tender = found[0]
    # Where ``prefetch_related("work_items")`` keeps them, so ``tender.work_items.all()`` reads them.
    works = tender.work_items.all()
    works._result_cache = _WORKS_COVERED.objects(pk=pk)
    works._prefetch_done = True
    tender._prefetched_objects_cache = {"work_items": works}
    return tender


def public_objections(tender: Tender) -> list[Objection]:
    """The tender's objections, first lodged first."""
    objections = _OBJECTIONS.objects(pk=tender.pk)
    for objection in objections:
        objection.tender = tender
    return objections


def tenders_for_staff(user: Any) -> QuerySet[Tender]:
    """The tenders of the projects the user manages (their street; every street for the bureau)."""
    return Tender.objects.select_related("project__neighbourhood__community__street", "kind").filter(
        project__in=projects_manageable_by(user)
    )


# What a card of the public list, ``tender_as_of`` and the page's clock (``next_clock_change``) read.
_LISTED_FIELDS = (
    "id",
    "project_id",
    "title",
    "ceiling_price",
    "bid_period_start",
    "bid_period_end",
    "opening_at",
    "status",
    "publicity_end",
)
_LISTED_COLUMNS = (
    *_LISTED_FIELDS,
    "project__neighbourhood__community__street__name",
    "project__neighbourhood__name",
    "received_bids",
)


def _public_list_queryset(now: datetime) -> QuerySet[Tender]:
    """Public tenders as list cards show them. ``received_bids`` counts the bids only once the
    opening time has passed (before it, nobody learns how many there are): with it the list tells
    an opened tender from a failed one before the job records the opening, in no extra query."""
    bids = (
        Bid.objects.filter(tender=OuterRef("pk"))
        .order_by()
        .values("tender")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return Tender.objects.exclude(status=TenderStatus.DRAFT).annotate(
        received_bids=Case(
            When(opening_at__lte=now, then=Coalesce(Subquery(bids), Value(0))),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def _state_filter(state: str, now: datetime, min_bids: int) -> Q:
    """Tenders whose state *as the clock has it* (``Tender.phase``, ``tender_as_of``) is ``state``."""
    sealed = Q(status__in=SEALED_STATUSES)
    if state == TenderStatus.ANNOUNCED:
        return sealed & Q(opening_at__gt=now, bid_period_start__gt=now)
    if state == TenderStatus.BIDDING:
        return sealed & Q(opening_at__gt=now, bid_period_start__lte=now)
    lagging = sealed & Q(opening_at__lte=now)  # opened by the clock, not yet recorded
    enough = Q(received_bids__gte=min_bids)
    if state == TenderStatus.OPENED:
        return Q(status=TenderStatus.OPENED) | (lagging & enough)
    if state == TenderStatus.FAILED:
        return Q(status=TenderStatus.FAILED) | (lagging & ~enough)
    return Q(status=state)


class _ListQueries:
    """The public list's three queries for one combination of filters (which filters are set and
    the state chosen), compiled once per process (renovation/public/prepared.py)."""

    def __init__(self, *, street: bool, state: str, year: bool) -> None:
        moment = Tender._meta.get_field("opening_at")
        fields: dict[str, Any] = {"now": moment}
        if state in (TenderStatus.OPENED, TenderStatus.FAILED):
            fields["min_bids"] = IntegerField()
        if street:
            fields["street"] = Tender._meta.pk
        if year:
            fields.update(year_start=moment, year_end=moment)

        self.names = set(fields)

        def filtered(now: datetime, **values: Any) -> QuerySet[Tender]:
            tenders = _public_list_queryset(now)
            if street:
                tenders = tenders.filter(project__neighbourhood__community__street=values["street"])
            if state:
                tenders = tenders.filter(_state_filter(state, now, values.get("min_bids", 0)))
            if year:  # ``opening_at__year`` in the time zone shown, as two comparisons
                tenders = tenders.filter(opening_at__gte=values["year_start"], opening_at__lt=values["year_end"])
            return tenders

        def still_open(now: datetime) -> Q:
            return Q(status__in=SEALED_STATUSES, opening_at__gt=now)

        self.open = PreparedRows(
            lambda **values: (
                filtered(**values)
                .filter(still_open(values["now"]))
                .order_by("bid_period_end", "pk")
                .values_list(*_LISTED_COLUMNS)
            ),
            **fields,
        )
        # A page of them with how many there are in all (a window count: no query of its own).
        self.others = PreparedRows(
            lambda **values: (
                filtered(**values)
                .exclude(still_open(values["now"]))
                .annotate(listed_in_all=Window(Count("pk")))
                .order_by("-opening_at", "-pk")
                .values_list(*_LISTED_COLUMNS, "listed_in_all")
            ),
            **fields,
        )
        self.counted = PreparedRows(
            lambda **values: filtered(**values).exclude(still_open(values["now"])).order_by().values_list("pk"),
            **fields,
        )


_LIST_QUERIES: dict[tuple[bool, str, bool], _ListQueries] = {}


def _listed(row: tuple[Any, ...]) -> Tender:
    """A tender of the list from its row: the card's fields loaded (the others deferred), with the
    names of its street and neighbourhood and ``received_bids``."""
    values = dict(zip(_LISTED_COLUMNS, row, strict=True))
    tender = Tender.from_db(connection.alias, _LISTED_ATTNAMES, [values[name] for name in _LISTED_ATTNAMES])
    tender.street_name = values["project__neighbourhood__community__street__name"]
    tender.neighbourhood_name = values["project__neighbourhood__name"]
    tender.received_bids = values["received_bids"]
    return tender


_LISTED_ATTNAMES = [field.attname for field in Tender._meta.concrete_fields if field.attname in _LISTED_FIELDS]


class TenderPages:
    """The tenders past their bid period (or opened), latest opening first, as a sequence for
    Django's ``Paginator``: a page and the count in one query when the page asked for is read
    first (``read_page``); else the count is one query, a page one query."""

    def __init__(self, queries: _ListQueries, values: dict[str, Any]) -> None:
        self.queries = queries
        self.values = values
        self._count: int | None = None
        self._read: dict[int, list[tuple[Any, ...]]] = {}  # offset → up to a page of rows from there

    def read_page(self, number: int, per_page: int) -> None:
        """Read page ``number`` with the count, ahead of the paginator (which then asks for
        both): a number past the last page reads nothing, and the paginator asks as usual."""
        offset = (number - 1) * per_page
        rows = self.queries.others.rows(limit=per_page, offset=offset, **self.values)
        if rows:
            self._count = rows[0][-1]
        elif offset == 0:
            self._count = 0
        else:
            return
        self._read[offset] = rows

    def count(self) -> int:
        if self._count is None:
            self._count = self.queries.counted.count(**self.values)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Tender]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("the tender pages are read a slice at a time")
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start:
            return []
        rows = self._read.get(start)
        if rows is None or len(rows) < min(stop - start, self.count() - start):
            rows = self.queries.others.rows(limit=stop - start, offset=start, **self.values)
        return [_listed(row[:-1]) for row in rows[: stop - start]]


def tender_list(
    *, now: datetime, street: int | None = None, state: str | None = None, year: int | None = None
) -> tuple[list[Tender], TenderPages]:
    """The public list, filtered (``street`` by its id): the tenders still open for bids (or
    waiting to open) first, then the rest, latest opening first, for the page to paginate."""
    shape = (street is not None, state or "", bool(year))
    queries = _LIST_QUERIES.get(shape)
    if queries is None:
        queries = _LIST_QUERIES[shape] = _ListQueries(street=shape[0], state=shape[1], year=shape[2])
    values: dict[str, Any] = {"now": now}
    if "min_bids" in queries.names:
        values["min_bids"] = settings.TENDER_MIN_VALID_BIDS
    if street is not None:
        values["street"] = street
    if year:
        zone = timezone.get_current_timezone()
        values["year_start"] = timezone.make_aware(datetime(year, 1, 1), zone)
        values["year_end"] = timezone.make_aware(datetime(year + 1, 1, 1), zone)
    open_tenders = [_listed(row) for row in queries.open.rows(**values)]
    return open_tenders, TenderPages(queries, values)


_STREETS = PreparedRows(lambda: Street.objects.order_by("sort_order", "name").values_list("pk", "code", "name"))


def street_choices() -> list[tuple[int, str, str]]:
    """Every street as (id, code, name), in the order of the list's filter."""
    return _STREETS.rows()


_TENDER_YEARS = PreparedRows(
    lambda: Tender.objects.exclude(status=TenderStatus.DRAFT).datetimes("opening_at", "year", order="DESC")
)


def tender_years() -> list[int]:
    """The years in which public tenders open, latest first, for the list's filter."""
    return [moment.year for (moment,) in _TENDER_YEARS.rows()]


def opening_failure_reason(received: int) -> str | None:
    """Why a tender fails at its opening (流标), or None when enough bids came in. The one rule
    for the service that records the opening and for pages that show it before it is recorded."""
    if received < settings.TENDER_MIN_VALID_BIDS:
        return _("Only %(count)s bid(s) received; at least %(min)s are needed.") % {
            "count": received,
            "min": settings.TENDER_MIN_VALID_BIDS,
        }
    return None


def tender_as_of(tender: Tender, now: datetime, *, received: int | None = None) -> Tender:
    """The tender as the clock has it, without writing anything: between its opening time and
    the moment the ``tenders_advance`` job records the opening, the page already shows it opened
    (or failed, when too few bids came in). The instance is changed in memory only; ``received``
    is the number of bids when the caller already has them."""
    phase = tender.phase(now)
    if tender.status not in SEALED_STATUSES or phase == tender.status:
        return tender
    if phase != TenderStatus.OPENED:
        tender.status = phase
        return tender
    tender.opened_at = tender.opening_at
    if received is None:  # the page has not loaded the opening record
        received = Bid.objects.filter(tender=tender).count()
    reason = opening_failure_reason(received)
    if reason is None:
        tender.status = TenderStatus.OPENED
    else:
        tender.status = TenderStatus.FAILED
        tender.failed_at = tender.opening_at
        tender.failure_reason = reason
    return tender


def next_clock_change(tenders: list[Tender], now: datetime) -> datetime | None:
    """The next moment the clock alone changes how one of these tenders shows (bids open,
    bids close, the seal lifts, publicity ends); None when no such moment is ahead."""
    moments = []
    for tender in tenders:
        candidates = (tender.bid_period_start, tender.bid_period_end, tender.opening_at, tender.publicity_end)
        moments.extend(moment for moment in candidates if moment is not None and moment > now)
    return min(moments, default=None)


def bids_received(tender: Tender) -> bool:
    """What staff may know before the opening: whether any bid came in, not how many."""
    return Bid.objects.filter(tender=tender).exists()


def opening_record(tender: Tender, now: datetime | None = None) -> list[OpeningRow] | None:
    """The opening record, or None while the bids are sealed."""
    now = now or timezone.now()
    if not tender.is_opened(now):
        return None
    bids = Bid.objects.filter(tender=tender).select_related("bidder", "tender").order_by("submitted_at", "pk")
    evaluations = {evaluation.bid_id: evaluation for evaluation in BidEvaluation.objects.filter(bid__tender=tender)}
    return [opening_row(bid, opened(bid, now=now), evaluations.get(bid.pk)) for bid in bids]


def opening_row(bid: Bid, content: BidContent, evaluation: BidEvaluation | None) -> OpeningRow:
    return OpeningRow(
        bid=bid,
        bidder_name=bid.bidder.name,
        uscc=bid.bidder.uscc,
        amount=content.amount,
        duration_days=content.duration_days,
        proposal_name=content.proposal_name,
        digest=bid.digest,
        canonical=content.canonical(),
        submitted_at=bid.submitted_at,
        version=bid.version,
        evaluation=evaluation,
    )


def ranked_rows(rows: list[OpeningRow]) -> list[OpeningRow]:
    """The evaluation table: ranked bids first, then the non-compliant ones."""
    return sorted(
        rows,
        key=lambda row: (
            row.evaluation is None or row.evaluation.rank is None,
            row.evaluation.rank if row.evaluation and row.evaluation.rank else 0,
            row.submitted_at,
        ),
    )


def evaluation_public(tender: Tender) -> bool:
    """Scores and ranks are published with the winner candidate."""
    return tender.status in (TenderStatus.PUBLICITY, TenderStatus.AWARDED)


def project_tenders(project: Project) -> list[Tender]:
    """The project's public tenders with award, contract and change orders, in fixed queries."""
    return list(with_steps(public_tenders().filter(project=project)).order_by("bid_period_start", "pk"))


def with_steps(queryset: QuerySet[Tender]) -> QuerySet[Tender]:
    """Tenders with what their public steps show (award, contract, change orders, bids with
    bidder and evaluation): a fixed number of queries for any number of tenders. Award and
    contract come with the tender (one row each at most), so they cost no query of their own."""
    return queryset.select_related("award__bidder", "award__contract").prefetch_related(
        Prefetch("award__contract__change_orders", queryset=ChangeOrder.objects.order_by("sequence")),
        Prefetch(
            "bids",
            queryset=Bid.objects.select_related("bidder", "tender", "evaluation").order_by("submitted_at", "pk"),
        ),
    )


@dataclass(frozen=True)
class TenderCard:
    """A tender as the project page shows it: the opening record once opened, the candidate
    during publicity."""

    tender: Tender
    rows: list[OpeningRow] | None
    candidate: OpeningRow | None


def project_tender_cards(project: Project, now: datetime | None = None) -> list[TenderCard]:
    now = now or timezone.now()
    tenders = project_tenders(project)
    cards = []
    for tender in tenders:
        rows = _rows_from_prefetched(tender, now)
        candidate = winner_candidate(rows) if tender.status == TenderStatus.PUBLICITY else None
        cards.append(TenderCard(tender=tender, rows=rows, candidate=candidate))
    return cards


def opened_rows(tender: Tender, now: datetime) -> list[OpeningRow] | None:
    """The opening record from prefetched bids (``bids__bidder``, ``bids__evaluation``), or None
    while the tender is sealed."""
    return _rows_from_prefetched(tender, now)


def _rows_from_prefetched(tender: Tender, now: datetime) -> list[OpeningRow] | None:
    if not tender.is_opened(now):
        return None
    # A missing reverse one-to-one raises a subclass of AttributeError: getattr's default applies.
    return [opening_row(bid, opened(bid, now=now), getattr(bid, "evaluation", None)) for bid in tender.bids.all()]


def mandatory_work_items(project: Project) -> QuerySet[WorkItem]:
    """Work items that must go through the street channel: a must-tender kind, or a budget at or
    above the threshold."""
    return WorkItem.objects.filter(project=project).filter(
        Q(procurement_kind__must_tender=True) | Q(budget__gte=settings.TENDER_MANDATORY_BUDGET_YUAN)
    )


def untendered_mandatory_items(project: Project) -> list[WorkItem]:
    """Must-tender items without an awarded tender whose contract is signed."""
    covered = WorkItem.objects.filter(
        project=project,
        tenders__status=TenderStatus.AWARDED,
        tenders__award__contract__isnull=False,
    ).values("pk")
    return list(mandatory_work_items(project).exclude(pk__in=covered).order_by("category", "sort_order", "pk"))


@dataclass(frozen=True)
class TenderTask:
    tender: Tender
    task: str


def tenders_needing_action(user: Any, now: datetime | None = None, *, limit: int = 20) -> list[TenderTask]:
    """What the street office has to do next on its tenders, oldest first."""
    from django.db.models import Exists, OuterRef
    from django.utils.translation import gettext as _

    from .models import Objection

    now = now or timezone.now()
    unanswered = Objection.objects.filter(tender=OuterRef("pk"), answered_at__isnull=True)
    queryset = (
        tenders_for_staff(user)
        .annotate(
            has_unanswered=Exists(unanswered),
            has_contract=Exists(Contract.objects.filter(award__tender=OuterRef("pk"))),
        )
        .filter(
            Q(status__in=SEALED_STATUSES, opening_at__lte=now)
            | Q(status__in=[TenderStatus.OPENED, TenderStatus.EVALUATED, TenderStatus.PUBLICITY])
            | Q(status=TenderStatus.AWARDED)
            | Q(status=TenderStatus.DRAFT)
        )
        .order_by("opening_at", "pk")
    )
    tasks = []
    for tender in queryset:
        phase = tender.phase(now)
        if tender.has_unanswered:
            task = _("Answer the objections")
        elif phase == TenderStatus.DRAFT:
            task = _("Check the draft and announce it")
        elif phase == TenderStatus.OPENED:
            task = _("Record the evaluation")
        elif phase == TenderStatus.EVALUATED:
            task = _("Publish the winner candidate")
        elif phase == TenderStatus.PUBLICITY and tender.publicity_end and tender.publicity_end <= now:
            task = _("Award the tender")
        elif phase == TenderStatus.AWARDED and not tender.has_contract:
            task = _("Record the signed contract")
        else:
            continue
        tasks.append(TenderTask(tender=tender, task=task))
        if len(tasks) >= limit:
            break
    return tasks


def open_objections(tender: Tender) -> list[Any]:
    """Objections of the current publicity period that block the award: unanswered, or upheld."""
    if tender.publicity_start is None:
        return []
    return [
        objection
        for objection in tender.objections.filter(lodged_at__gte=tender.publicity_start)
        if objection.answered_at is None or objection.upheld
    ]


def may_evaluate(tender: Tender, now: datetime | None = None) -> bool:
    """Bids are evaluated once opened, and again during the publicity only after an upheld
    objection (the ranking published must not change quietly)."""
    if not tender.is_opened(now):
        return False
    if tender.status in (TenderStatus.OPENED, TenderStatus.EVALUATED):
        return True
    if tender.status == TenderStatus.PUBLICITY:
        return any(objection.upheld for objection in open_objections(tender))
    return False


def winner_candidate(rows: list[OpeningRow] | None) -> OpeningRow | None:
    """The first-ranked bid of an evaluated opening record."""
    return next((row for row in rows or [] if row.evaluation is not None and row.evaluation.rank == 1), None)


def contract_current_amount(contract: Contract) -> Decimal:
    """The contract amount plus every approved change (uses prefetched change orders if loaded)."""
    from .models import ChangeOrderStatus

    approved = [change for change in contract.change_orders.all() if change.status == ChangeOrderStatus.APPROVED]
    return contract.amount + sum((change.amount_change for change in approved), Decimal("0"))


# --- contractors: who builds what ---------------------------------------------------------------


@dataclass(frozen=True)
class ContractorWorks:
    """A company holding signed contracts on a project, with the works they cover. This is the
    project's construction unit (施工单位) for those works: nothing else names it."""

    company: str
    works: tuple[str, ...]
    contracts: tuple[str, ...]
    direct: bool  # every one of its contracts here was placed without a tender


def contractors_by_project(project_ids: Any) -> dict[int, list[ContractorWorks]]:
    """Project id → its contractors in the order they first signed, each with its works (two
    queries whatever the number of projects and contracts)."""
    contracts = list(
        Contract.objects.filter(project_id__in=project_ids)
        .order_by("project_id", "signed_on", "pk")
        .values_list("pk", "project_id", "contractor_id", "contractor__name", "number", "award_id")
    )
    covered: dict[int, list[str]] = {}
    through = Contract.work_items.through.objects.filter(contract_id__in=[row[0] for row in contracts])
    for contract_id, description in through.order_by(
        "workitem__category", "workitem__sort_order", "workitem_id"
    ).values_list("contract_id", "workitem__description"):
        covered.setdefault(contract_id, []).append(description)
    grouped: dict[int, dict[int, dict[str, Any]]] = {}
    for pk, project_id, contractor_id, name, number, award_id in contracts:
        company = grouped.setdefault(project_id, {}).setdefault(
            contractor_id, {"company": name, "works": [], "contracts": [], "direct": True}
        )
        company["works"].extend(work for work in covered.get(pk, []) if work not in company["works"])
        company["contracts"].append(number)
        company["direct"] = company["direct"] and award_id is None
    return {
        project_id: [
            ContractorWorks(c["company"], tuple(c["works"]), tuple(c["contracts"]), c["direct"])
            for c in companies.values()
        ]
        for project_id, companies in grouped.items()
    }


def project_contractors(project: Project) -> list[ContractorWorks]:
    return contractors_by_project([project.pk]).get(project.pk, [])


def contractor_names(contractors: list[ContractorWorks]) -> str:
    """How a list, an export or a feed names a project's construction units in one cell."""
    return "、".join(contractor.company for contractor in contractors)


# --- red flags (redflags.py) -----------------------------------------------------------------


def _flag_tenders(queryset: QuerySet[Tender]) -> list[Tender]:
    """Tenders with what the red flags read, in three queries: the tenders, their bids (with
    bidder and evaluation), their awards."""
    return list(
        queryset.exclude(status=TenderStatus.DRAFT)
        .select_related("project__neighbourhood__community")
        .prefetch_related(
            Prefetch(
                "bids",
                queryset=Bid.objects.select_related("bidder", "tender", "evaluation").order_by("submitted_at", "pk"),
            ),
            Prefetch("award", queryset=Award.objects.select_related("bidder")),
        )
        .order_by("opening_at", "pk")
    )


def tender_red_flags(tender: Tender, now: datetime | None = None) -> list[Any]:
    """The red flags about one tender, weighed against its street's other opened tenders; none
    before its opening time. Three queries."""
    from . import redflags

    now = now or timezone.now()
    if not tender.is_opened(now):
        return []
    street_id = tender.project.neighbourhood.community.street_id
    tenders = _flag_tenders(Tender.objects.filter(project__neighbourhood__community__street_id=street_id))
    flags = redflags.all_flags(redflags.opened_tenders(tenders, now), redflags.thresholds_from_settings())
    return redflags.flags_about(flags, tender.pk)


def red_flags_for_staff(user: Any, now: datetime | None = None) -> list[Any]:
    """Every red flag on the tenders of the streets the user manages. Three queries (after the
    user's staff profile)."""
    from . import redflags

    now = now or timezone.now()
    tenders = _flag_tenders(Tender.objects.filter(project__in=projects_manageable_by(user)))
    return redflags.all_flags(redflags.opened_tenders(tenders, now), redflags.thresholds_from_settings())
