"""Public pages of the tendering channel: the list, a tender, bidding, objections, OCDS data."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks

from renovation.accounts.landing import safe_next_url
from renovation.backoffice.views import add_service_errors, posted_data, posted_id
from renovation.licence import licence_name, licence_url
from renovation.public.cache import depends_on, next_midnight
from renovation.public.kept import Kept
from renovation.public.responses import text_stream

from . import bidding, selectors, services, sign_up_views, tender_summary
from .forms import BidderForm, BidForm, DocumentForm, ObjectionForm, TenderFilterForm
from .models import Bid, Bidder, Tender, TenderRelease, TenderStatus
from .ocds import package_chunks, publication_policy_url, release_package, release_texts
from .permissions import can_manage_tender, may_bid

# A fixed number of releases a page: the page costs the same however many tenders there are.
OCDS_PAGE_SIZE = 100
TENDER_LIST_PAGE_SIZE = 20


def _public_tender(pk: int, now: datetime | None = None) -> Tender:
    """The tender as the clock has it now, read only: a GET never writes (the ``tenders_advance``
    job records openings; pages derive them from the stored schedule until it has)."""
    tender = get_object_or_404(selectors.public_tenders(), pk=pk)
    return selectors.tender_as_of(tender, now or timezone.now())


def _caught_up_tender(pk: int) -> Tender:
    """For a POST, which may write: the tender with its stored status caught up with the clock."""
    tender = get_object_or_404(selectors.public_tenders(), pk=pk)
    caught_up = services.tender_catch_up(tender=tender)
    if caught_up.status != tender.status:
        tender = get_object_or_404(selectors.public_tenders(), pk=pk)
    return tender


def _until(tenders: list[Tender], now: datetime) -> datetime:
    """A stored page is true until the clock changes one of its tenders (or midnight)."""
    moment = selectors.next_clock_change(tenders, now)
    return min(moment, next_midnight(now)) if moment is not None else next_midnight(now)


# The list's filter choices: the years tenders open in (a tender step bumps "tenders") and the
# streets (a place bumps "site"), kept by each process while neither changes (public/kept.py).
_LIST_CHOICES = Kept(lambda: (selectors.tender_years(), selectors.street_choices()), "tenders")


def tender_list(request: HttpRequest) -> HttpResponse:
    """Every public tender, filtered by street, state and year: those open for bids on the first
    page, then the rest, ``TENDER_LIST_PAGE_SIZE`` a page, in the same queries for any number."""
    depends_on(request, "tenders")
    now = timezone.now()
    years, streets = _LIST_CHOICES.get(request)
    form = TenderFilterForm(request.GET or None, years=years, streets=streets)
    open_tenders, other_tenders = selectors.tender_list(now=now, **form.filters())
    number = _int_or_none(request.GET.get("page")) or 1
    if number <= MAX_PAGE:  # the page asked for and the count in one query
        other_tenders.read_page(number, TENDER_LIST_PAGE_SIZE)
    page_obj = Paginator(other_tenders, TENDER_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = [
        selectors.tender_as_of(tender, now, received=tender.received_bids) for tender in page_obj.object_list
    ]
    open_tenders = [selectors.tender_as_of(tender, now) for tender in open_tenders] if page_obj.number == 1 else []
    depends_on(request, until=_until(open_tenders + page_obj.object_list, now))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "open_tenders": open_tenders,
        "page_obj": page_obj,
        "filter_query": query.urlencode(),
        "filtered": bool(form.filters()),
        "now": now,
    }
    # A bad filter value is named on the page (and left out); the answer is not stored.
    return render(request, "tendering/list.html", context, status=400 if form.errors else 200)


def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A tender's public page in a fixed number of queries (its award and contract come with it).
    Once opened, its opening record, red flags, evaluation and award are inserted from the row kept
    for it (tender_summary.py: one query), or rendered live from the street's rows when the row is
    not fit to show (tender_page.py: the opening record and the red flags in one query)."""
    depends_on(request, f"tender:{pk}")
    now = timezone.now()
    tender = selectors.public_tender(pk)
    if tender is None:
        raise Http404
    depends_on(request, f"project:{tender.project_id}")  # its project's name, street and status
    # The seal lifts by the clock; the page shows the opening before the job records it.
    sections, tender = tender_summary.stored(tender, now)
    if sections is None:
        sections, tender = tender_summary.live(tender, now)
    if sections is not None:
        # Its red flags weigh the street's other tenders: a step of any of them may change the
        # page, and so may the opening time of another tender of the street.
        depends_on(request, "tenders", until=sections.until)
    depends_on(request, until=_until([tender], now))
    live_context = sections.context if sections is not None and sections.context is not None else {}
    context = {
        **live_context,
        "tender": tender,
        "now": now,
        "sealed": sections is None,
        "stored": sections.parts if sections is not None else None,
        # The winner candidate in publicity, from the opening record (the page is live then).
        "candidate": selectors.winner_candidate(live_context.get("opening_rows")),
        "objections": selectors.public_objections(tender),
        "objection_form": ObjectionForm() if tender.publicity_open(now) else None,
        "may_manage": can_manage_tender(request.user, tender),
        "may_bid": may_bid(request.user) and tender.accepts_bids(now),
        "previous": tender.previous,
        "reannouncements": (
            list(tender.reannouncements.exclude(status=TenderStatus.DRAFT))
            if tender.status == TenderStatus.FAILED
            else []
        ),
        # The tender documents (招标文件) are published with the project's page by the public site
        # (cms), which registers the ``tender_documents`` hook: rows with ``document`` (title, url).
        "tender_documents": [row for source in hooks.get_hooks("tender_documents") for row in source(tender)],
    }
    return render(request, "tendering/detail.html", context)


def bidder_register(request: HttpRequest) -> HttpResponse:
    """Without an account the company signs itself up (account and company in one step); a
    signed-in account registers another company it acts for."""
    if not request.user.is_authenticated:
        return sign_up_views.bidder_sign_up(request)
    form = BidderForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            bidding.bidder_register(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The company is registered. Upload its qualification documents: "
                    "staff review them before it may bid."
                ),
            )
            return redirect(safe_next_url(request, reverse("tendering:bidder_mine")))
    status = 400 if request.method == "POST" else 200
    return render(request, "tendering/bidder_register.html", {"form": form}, status=status)


@login_required
def bidder_mine(request: HttpRequest) -> HttpResponse:
    bidders = list(Bidder.objects.filter(accounts=request.user).prefetch_related("documents"))
    if not bidders:
        return redirect(f"{reverse('tendering:bidder_register')}?next={request.path}")
    form = DocumentForm(posted_data(request), request.FILES or None)
    if request.method == "POST":
        bidder = get_object_or_404(Bidder, pk=posted_id(request, "bidder"), accounts=request.user)
        if form.is_valid():
            try:
                bidding.bidder_document_add(
                    actor=request.user,
                    bidder=bidder,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The document was added."))
                return redirect("tendering:bidder_mine")
    bids = Bid.objects.filter(bidder__in=bidders).select_related("tender", "bidder").order_by("-submitted_at")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tendering/bidder_mine.html", {"bidders": bidders, "form": form, "bids": bids}, status=status
    )


@login_required
def bid(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _caught_up_tender(pk) if request.method == "POST" else _public_tender(pk)
    if not may_bid(request.user):
        raise PermissionDenied(_("Staff run tenders and cannot bid in them."))
    bidders = list(Bidder.objects.filter(accounts=request.user).order_by("name"))
    if not bidders:
        return redirect(f"{reverse('tendering:bidder_register')}?next={request.path}")
    chosen = request.POST.get("bidder") or request.GET.get("bidder")
    bidder = next((b for b in bidders if str(b.pk) == chosen), None if chosen else bidders[0])
    if bidder is None:
        raise Http404  # a company the user does not act for: never file the bid under another one
    form = BidForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = bidding.bid_submit(
                actor=request.user,
                tender=tender,
                bidder=bidder,
                amount=form.cleaned_data["amount"],
                duration_days=form.cleaned_data["duration_days"],
                proposal=form.cleaned_data["proposal"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The receipt repeats what was just sealed so the company can catch a slipped digit, in
            # this response only: it is never stored readable, and no later page can show it again.
            response = render(
                request,
                "tendering/bid.html",
                {
                    "tender": tender,
                    "bidders": bidders,
                    "bidder": bidder,
                    "form": BidForm(),
                    "receipt": bidding.receipt_for(submitted),
                    "sealed_now": {
                        "amount": form.cleaned_data["amount"],
                        "duration_days": form.cleaned_data["duration_days"],
                        "proposal_name": form.cleaned_data["proposal"].name,
                    },
                    "open": tender.accepts_bids(),
                },
            )
            add_never_cache_headers(response)
            return response
    current = Bid.objects.filter(tender=tender, bidder=bidder).first()
    context = {
        "tender": tender,
        "bidders": bidders,
        "bidder": bidder,
        "form": form,
        "receipt": bidding.receipt_for(current) if current is not None else None,
        "open": tender.accepts_bids(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "tendering/bid.html", context, status=status)


@login_required
@require_POST
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _caught_up_tender(pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_lodge(actor=request.user, tender=tender, text=form.cleaned_data["text"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Your objection was lodged. The street office must answer it before the award.")
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("tendering:detail", pk=tender.pk)


def ocds_tender(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The tender's release package: its releases' stored text streamed as it is (ocds.release_texts)."""
    depends_on(request, f"tender:{pk}")
    now = timezone.now()
    # Only its state and schedule (whether it is public, when the clock next changes it): no
    # project, kind or works, which the stored releases already carry.
    tender = get_object_or_404(Tender.objects.exclude(status=TenderStatus.DRAFT), pk=pk)
    tender = selectors.tender_as_of(tender, now)
    depends_on(request, until=_until([tender], now))
    # Publication order: a release dated by an earlier event (a back-dated payment) is still newer.
    releases = release_texts(TenderRelease.objects.filter(tender=tender).order_by("pk"))
    if not releases:
        raise Http404
    package = release_package([], uri=request.build_absolute_uri(), policy=publication_policy_url(request))
    return text_stream(package_chunks(package, releases), "application/json")


# Far beyond any real page; larger numbers answer 404 before they reach SQL as an OFFSET.
MAX_PAGE = 1_000_000


def ocds_all(request: HttpRequest) -> StreamingHttpResponse:
    """Every release, a fixed number a page (``OCDS_PAGE_SIZE``), streamed in one write with
    its length (public.responses.text_stream); ``Link`` names the next page. Read only:
    openings are recorded by the ``tenders_advance`` job."""
    depends_on(request, "ocds")
    # By publication (pk), so the pages stay stable when a back-dated release is added.
    queryset = TenderRelease.objects.exclude(tender__status=TenderStatus.DRAFT).order_by("pk")
    number = _int_or_none(request.GET.get("page")) or 1
    if number > MAX_PAGE:  # no such page, and its offset would overflow PostgreSQL's bigint (a 500)
        raise Http404
    # One query for the page and whether another follows; no count of every release.
    # Each release's stored text, sent as it is (ocds.release_texts): nothing decoded or encoded again.
    rows = release_texts(queryset[(number - 1) * OCDS_PAGE_SIZE : number * OCDS_PAGE_SIZE + 1])
    releases, has_next = rows[:OCDS_PAGE_SIZE], len(rows) > OCDS_PAGE_SIZE
    if not releases:
        raise Http404
    package = release_package([], uri=request.build_absolute_uri(), policy=publication_policy_url(request))
    response = text_stream(package_chunks(package, releases), "application/json")
    if has_next:
        response["Link"] = f'<{request.path}?page={number + 1}>; rel="next"'
    return response


def _int_or_none(value: str | None) -> int | None:
    try:
        number = int(value) if value else None
    except (TypeError, ValueError):
        return None
    return number if number is None or number > 0 else None


def open_data_policy(request: HttpRequest) -> HttpResponse:
    """The publication policy the OCDS packages link to (``publicationPolicy``)."""
    depends_on(request)
    context = {
        "ocid_prefix": settings.OCDS_OCID_PREFIX,
        "licence_url": licence_url(),
        "licence_name": licence_name(),
    }
    return render(request, "tendering/open_data_policy.html", context)
