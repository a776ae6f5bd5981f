"""The seal, checked the way an attacker would: log in as every role before the opening time,
fetch every page, admin view, API, export and socket that concerns the tender, and look for any
bid's amount or proposal file name. After the opening they must appear where they belong."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from openpyxl import load_workbook

from cms.services import project_page_ensure
from renovation.discussion.services import thread_for_project
from renovation.tendering import services
from renovation.tendering.models import Bid, Tender
from tests.tendering.fixtures import AMOUNTS, PROPOSAL_NAMES, open_now


def _amount_spellings(amount: Decimal) -> list[str]:
    plain = f"{amount:.2f}"
    return [plain, f"{amount:,.2f}", plain.replace(".", ""), f"{amount / 10000:.2f}万", f"{float(amount)}"]


SECRETS = [spelling for amount in AMOUNTS for spelling in _amount_spellings(amount)] + PROPOSAL_NAMES


def _urls(tender: Tender, bid: Bid, project_url: str) -> list[str]:
    pk = tender.pk
    return [
        "/",
        "/projects/",
        project_url,
        "/tenders/",
        f"/tenders/{pk}/",
        f"/tenders/{pk}/bid/",
        "/tenders/bidders/mine/",
        f"/tenders/{pk}/ocds.json",
        "/tenders/ocds.json",
        # Open data: OC4IDS, feeds and bulk downloads say nothing of bids before the opening either.
        f"/projects/{tender.project.slug}/oc4ids.json",
        "/projects/oc4ids.json",
        f"/projects/{tender.project.slug}/feed/",
        "/tenders/feed/",
        f"/streets/{tender.project.neighbourhood.community.street.code}/feed/",
        "/open-data/",
        "/open-data/projects.csv",
        "/open-data/projects.xlsx",
        "/open-data/tenders.csv",
        "/open-data/tenders.xlsx",
        "/open-data/disclosures.csv",
        "/notifications/",
        "/supervise/",
        "/admin/",
        "/admin/tender/",
        f"/admin/tender/edit/{pk}/",
        f"/admin/tender/history/{pk}/",
        f"/admin/tenders/{pk}/manage/",
        f"/admin/tenders/{pk}/opening-record.xlsx",
        f"/admin/tenders/{pk}/evaluation-table.xlsx",
        f"/admin/tenders/{pk}/bids/{bid.pk}/proposal/",
        "/admin/bidder/",
        f"/admin/bidder/inspect/{bid.bidder_id}/",
        f"/admin/bidder/history/{bid.bidder_id}/",
        "/admin/exports/",
        "/admin/exports/ledger/",
        f"/admin/project/history/{tender.project_id}/",
        "/admin/search/?q=873456",
        # The open data (tests/api/test_crawls.py crawls every endpoint and row of it).
        "/api/v1/tenders/",
        f"/api/v1/tenders/{pk}/",
        f"/api/v1/projects/{tender.project_id}/",
        "/api/v1/contracts/",
        "/open311/v2/requests.json",
    ]


def _text(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
        return "\n".join(
            str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


def _roles(personas: Any, cast: Any) -> dict[str, Any]:
    return {
        "anonymous": None,
        "resident": personas.resident,
        "bidder who bid": cast.accounts[0],
        "bidder who did not": cast.accounts[3],
        "street A staff": personas.street_a,
        "street B staff": personas.street_b,
        "bureau": personas.bureau,
        "superuser": personas.superuser,
    }


@pytest.fixture
def sealed_tender(tender_cast, site_tree):
    bids = tender_cast.three_bids()
    page = project_page_ensure(project=tender_cast.project)
    return tender_cast, bids, page.url_path.replace("/home", "", 1) if page.url_path.startswith("/home") else page.url


def _crawl(client: Client, urls: list[str]) -> dict[str, str]:
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        seen[url] = _text(response)
    return seen


def test_no_role_can_see_any_bid_before_the_opening(sealed_tender, personas):
    cast, bids, _ = sealed_tender
    project_url = f"/projects/{cast.project.slug}/"
    urls = _urls(cast.tender, bids[0], project_url)
    for role, user in _roles(personas, cast).items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for url, text in _crawl(client, urls).items():
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, f"{role} sees {leaked} at {url}"
            # Not even the number of bids: staff learn only whether any came in.
            assert not re.search(r'numberOfTenderers|id="opening-record"|"measure": ?"bids"', text), f"{role} at {url}"


def test_staff_see_only_that_bids_came_in(sealed_tender, personas, client):
    cast, _, _ = sealed_tender
    client.force_login(personas.street_a)
    page = client.get(f"/admin/tenders/{cast.tender.pk}/manage/").content.decode()
    assert "已收到投标：是" in page


def test_after_the_opening_the_bids_appear_where_they_belong(sealed_tender, personas):
    cast, bids, _ = sealed_tender
    open_now(cast.tender)
    public = Client().get(f"/tenders/{cast.tender.pk}/").content.decode()
    for amount, bid in zip(AMOUNTS, Bid.objects.order_by("submitted_at", "pk"), strict=True):
        assert f"{amount:,.2f}" in public
        assert bid.digest in public
    services.tenders_catch_up()  # open data lists what is recorded: the clock job records the opening
    ocds = json.loads(b"".join(Client().get(f"/tenders/{cast.tender.pk}/ocds.json").streaming_content))
    assert {d["value"]["amount"] for d in ocds["releases"][-1]["bids"]["details"]} == {float(a) for a in AMOUNTS}
    staff = Client()
    staff.force_login(personas.street_a)
    manage = staff.get(f"/admin/tenders/{cast.tender.pk}/manage/").content.decode()
    assert all(name in manage for name in PROPOSAL_NAMES)
    opening = _text(staff.get(f"/admin/tenders/{cast.tender.pk}/opening-record.xlsx"))
    assert all(name in opening for name in PROPOSAL_NAMES) and "873456.21" in opening
    proposal = staff.get(f"/admin/tenders/{cast.tender.pk}/bids/{bids[0].pk}/proposal/")
    assert proposal.status_code == 200 and b"technical proposal" in proposal.content
    # Street B still may not look at street A's tender.
    other = Client()
    other.force_login(personas.street_b)
    assert other.get(f"/admin/tenders/{cast.tender.pk}/manage/").status_code == 403
    assert other.get(f"/admin/tenders/{cast.tender.pk}/opening-record.xlsx").status_code == 403


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_project_socket_carries_no_bid(personas, tender_cast, site_tree):
    from channels.testing import WebsocketCommunicator

    from renovation.asgi import application

    await sync_to_async(tender_cast.three_bids)()
    thread = await sync_to_async(thread_for_project)(tender_cast.project)
    client = Client()
    await sync_to_async(client.force_login)(personas.street_a)
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    communicator = WebsocketCommunicator(application, f"/ws/threads/{thread.pk}/", headers=headers)
    connected, _ = await communicator.connect()
    try:
        assert connected
        await communicator.send_json_to({"type": "since", "last_event_id": 0})
        message = await communicator.receive_from(timeout=2)
        assert not [secret for secret in SECRETS if secret in message]
    finally:
        await communicator.disconnect()
