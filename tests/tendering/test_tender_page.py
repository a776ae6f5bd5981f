"""A tender's public page in a fixed number of queries (renovation/tendering/tender_page.py) shows
exactly what it showed when it read its opening record, award, contract, change orders and red
flags through the ORM one by one: bidding, opened, in publicity, awarded, contracted with change
orders, in both languages. Nothing sealed shows before the opening; no contact person, ever."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail import hooks

from renovation.projects.models import ProjectStatus
from renovation.public.cache import cache_backend
from renovation.tendering import contracts, redflags, selectors, services
from renovation.tendering.forms import ObjectionForm
from renovation.tendering.models import Bid, Tender, TenderStatus
from tests.factories import ProjectFactory, WorkItemFactory
from tests.tendering.fixtures import AMOUNTS, PROPOSAL_NAMES, end_publicity, open_now, tender_data

pytestmark = pytest.mark.django_db


def _page_as_before(pk: int, language: str) -> bytes:
    """The page as ``views.tender_detail`` rendered it before tender_page.py: each part read on
    its own through the ORM (``selectors.opening_record``, ``tender_red_flags``, the award, the
    contract and its change orders from the tender's relations)."""
    request = RequestFactory().get(f"/tenders/{pk}/", HTTP_HOST="testserver")
    request.user = AnonymousUser()
    now = timezone.now()
    with translation.override(language):
        request.LANGUAGE_CODE = language
        tender = selectors.public_tenders().get(pk=pk)
        rows = selectors.opening_record(tender, now)
        tender = selectors.tender_as_of(tender, now, received=len(rows) if rows is not None else None)
        award = getattr(tender, "award", None) if tender.status == TenderStatus.AWARDED else None
        contract = getattr(award, "contract", None) if award is not None else None
        context = {
            "tender": tender,
            "now": now,
            "opening_rows": rows,
            "sealed": rows is None,
            "stored": None,  # the opened sections rendered here, as live
            "evaluation_public": selectors.evaluation_public(tender),
            "ranked_rows": selectors.ranked_rows(rows) if rows is not None else None,
            "candidate": selectors.winner_candidate(rows),
            "award": award,
            "contract": contract,
            "change_orders": list(contract.change_orders.all()) if contract is not None else [],
            "objections": list(tender.objections.order_by("lodged_at")),
            "objection_form": ObjectionForm() if tender.publicity_open(now) else None,
            "may_manage": False,
            "may_bid": False,
            "previous": tender.previous,
            "reannouncements": [],
            "red_flags": selectors.tender_red_flags(tender, now),
            "flag_band": redflags.share_label(settings.TENDER_FLAG_CEILING_BAND),
            "tender_documents": [row for source in hooks.get_hooks("tender_documents") for row in source(tender)],
        }
        return render(request, "tendering/detail.html", context).content


def _main(html: bytes) -> str:
    """The page's own part (the frame around it is the same for every page)."""
    text = html.decode()
    return text[text.index("<main") : text.index("</main>")]


def _same_as_before(client, tender: Tender) -> str:
    shown = ""
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        response = client.get(f"/tenders/{tender.pk}/")
        assert response.status_code == 200
        shown = _main(response.content)
        assert shown == _main(_page_as_before(tender.pk, language)), language
        assert "王经理" not in shown and "0577-65880000" not in shown  # a company's contact person
    return shown


def _another_street_tender(cast, personas) -> Tender:
    """A second tender of the street, opened with the same three companies (the flags weigh it)."""
    original, cast.tender = cast.tender, _tender_of_another_project(personas)
    for index in range(3):
        cast.bid(index, amount=AMOUNTS[index] + Decimal("1000"), name=f"其他{index}.pdf")
    other, cast.tender = cast.tender, original
    return open_now(other)


def _contracted(cast, personas) -> Tender:
    tender = end_publicity(Tender.objects.get(pk=cast.tender.pk))
    services.tender_award(actor=personas.street_a, tender=tender)
    tender = Tender.objects.get(pk=tender.pk)
    contract = contracts.contract_sign(
        actor=personas.street_a,
        tender=tender,
        data={
            "number": "HT-<甲>-001",
            "amount": AMOUNTS[1],
            "signed_on": date(2026, 5, 1),
            "start_on": date(2026, 5, 10),
            "end_on": date(2026, 9, 10),
        },
    )
    for number, amount in enumerate((Decimal("20000"), Decimal("-3500.50"), Decimal("7000")), start=1):
        change = contracts.change_order_propose(
            actor=personas.street_a, contract=contract, reason=f"变更 {number} & <屋面>", amount_change=amount
        )
        if number < 3:
            contracts.change_order_decide(
                actor=personas.street_a,
                change_order=change,
                approve=number == 1,
                decided_on=timezone.localdate(),
                approval_reference=f"纪要〔2026〕{number}号",
            )
    return tender


def test_it_shows_each_state_as_the_page_read_through_the_orm_showed_it(tender_cast, personas, client):
    _another_street_tender(tender_cast, personas)
    same = Decimal("871234.00")  # two companies with the same amount: a red flag once opened
    tender_cast.bid(0, amount=same)
    tender_cast.bid(1, amount=same - Decimal("0.01"))
    tender_cast.bid(2)
    tender = tender_cast.tender

    bidding = _same_as_before(client, tender).replace(",", "")
    assert "871234" not in bidding and "873456" not in bidding  # no amount before the opening
    assert not any(name in bidding for name in PROPOSAL_NAMES)  # nor the file names
    assert "瑞安甲建设有限公司" not in bidding  # nor who bid

    tender = open_now(tender)
    opened = _same_as_before(client, tender)
    assert "871,234.00" in opened and "bid-facts" in opened  # the opening record, the flags

    tender_cast.tender = tender
    bids = list(tender.bids.all())
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in bids}
    )
    services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    _same_as_before(client, tender)

    awarded = end_publicity(Tender.objects.get(pk=tender.pk))
    services.tender_award(actor=personas.street_a, tender=awarded)
    assert "871,234.00" in _same_as_before(client, awarded)


def test_it_shows_a_contract_and_its_change_orders_as_before(tender_cast, personas, client):
    _another_street_tender(tender_cast, personas)
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    tender_cast.tender = tender
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in tender.bids.all()}
    )
    services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    tender = _contracted(tender_cast, personas)
    shown = _same_as_before(client, tender)
    assert "HT-&lt;甲&gt;-001" in shown and "变更 3 &amp; &lt;屋面&gt;" in shown


def test_it_shows_the_opening_the_clock_recorded_as_the_unsealed_one(tender_cast, personas, client, settings):
    """Once the clock recorded the opening (``Bid.opened_content``), the page reads the record
    instead of unsealing: the same page, whose bids no longer need the key."""
    _another_street_tender(tender_cast, personas)
    same = Decimal("871234.00")  # two companies with the same amount: a red flag once opened
    tender_cast.bid(0, amount=same)
    tender_cast.bid(1, amount=same - Decimal("0.01"))
    tender_cast.bid(2)
    tender = open_now(tender_cast.tender)
    assert Bid.objects.exclude(opened_content="").count() == 0  # opened by the clock, not recorded yet
    unsealed = _same_as_before(client, tender)
    services.tenders_catch_up()
    assert Bid.objects.filter(opened_content="").count() == 0
    assert _same_as_before(client, tender) == unsealed
    settings.BID_SEAL_KEYS = [Fernet.generate_key().decode()]  # no bid can be decrypted now
    assert _main(client.get(f"/tenders/{tender.pk}/").content) == unsealed
    assert "871,234.00" in unsealed and "bid-facts" in unsealed


@pytest.mark.parametrize("recorded", [False, True])
@pytest.mark.parametrize("more", [False, True])
def test_an_awarded_tender_costs_the_same_queries_for_more_bids_changes_and_tenders(
    more, recorded, tender_cast, personas, client, django_assert_num_queries
):
    if more:  # another opened tender in the street, a fourth bid, more change orders
        _another_street_tender(tender_cast, personas)
        tender_cast.bid(3, amount=Decimal("650000.00"), name="丁公司技术标.pdf")
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    if recorded:  # the clock recorded the openings (the bids' opened content)
        services.tenders_catch_up()
    tender_cast.tender = tender
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in tender.bids.all()}
    )
    services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    tender = _contracted(tender_cast, personas)
    if more:
        contract = tender.award.contract
        for number in range(3):
            contracts.change_order_propose(
                actor=personas.street_a, contract=contract, reason=f"追加 {number}", amount_change=Decimal("100")
            )
    url = f"/tenders/{tender.pk}/"
    client.get(url)
    with django_assert_num_queries(QUERIES_AWARDED_PAGE):
        response = client.get(url)
    assert response.content.decode().count("<tr><td>") == (6 if more else 3)  # the change orders


# The tender with its award, winner and contract; its works; the street's tenders with their bids,
# bidders, evaluations and winners (the opening record and the red flags); the change orders; the
# objections; its tender documents (cms.selectors.tender_documents); and first the opened sections'
# kept row, none here (the page renders them live; kept, it costs five: test_tender_summary.py).
QUERIES_AWARDED_PAGE = 7


def _tender_of_another_project(personas) -> Tender:
    """A tender announced for another project of the same street (its step bumps neither this
    tender's page nor its project's)."""
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.APPROVED, name="另一小区改造")
    item = WorkItemFactory(project=project, description="屋面防水", budget=Decimal("400000"))
    tender = services.tender_create(
        actor=personas.street_a, data=tender_data(project, title="另一小区的招标"), work_items=[item]
    )
    return services.tender_announce(actor=personas.street_a, tender=tender)


def test_an_opened_tender_page_is_fresh_after_another_tender_of_its_street_changes(
    tender_cast, personas, client, settings, django_capture_on_commit_callbacks
):
    """Its red flags weigh the street's other tenders: a step of another tender, which bumps only
    that tender's own page and the lists, must not leave this page stored as it was."""
    settings.PUBLIC_CACHE_ENABLED = True
    cache_backend().clear()
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    url = f"/tenders/{tender.pk}/"
    client.get(url)
    assert client.get(url)["X-Public-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        _tender_of_another_project(personas)
    assert client.get(url)["X-Public-Cache"] == "miss"
    cache_backend().clear()


def test_an_opened_tender_page_is_stored_no_later_than_the_next_opening_in_its_street(
    tender_cast, personas, client, settings
):
    """Another tender of the street opening adds its bids to the flags: by the clock, no service runs."""
    settings.PUBLIC_CACHE_ENABLED = True
    cache_backend().clear()
    other = _tender_of_another_project(personas)
    soon = timezone.now() + timedelta(minutes=5)  # before the stored page's own limit (PUBLIC_CACHE_SECONDS)
    Tender.objects.filter(pk=other.pk).update(opening_at=soon, bid_period_end=soon - timedelta(minutes=1))
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    response = client.get(f"/tenders/{tender.pk}/")
    assert response.wsgi_request.public_cache.until <= soon
    cache_backend().clear()
