"""The personal-data crawl and the sealed-bid crawl over every open-data endpoint: every API
resource (every page, every row's own address), the schema, the docs, and every Open311
document in JSON and XML. Endpoints are taken from the router, so a new one is crawled too."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from renovation.api.services import api_key_issue
from renovation.tendering.models import Bid
from tests.api.scene import PERSONAL, crawl_open_data
from tests.tendering.fixtures import AMOUNTS, open_now
from tests.tendering.test_sealed_everywhere import SECRETS

pytestmark = pytest.mark.django_db


def test_no_personal_data_anywhere_in_the_open_data(scene, personas):
    keyed = Client(HTTP_AUTHORIZATION=f"Api-Key {api_key_issue(actor=personas.bureau, name='x', organisation='y').raw}")
    for client in (Client(), keyed):
        seen = crawl_open_data(client)
        assert len(seen) > 30  # every list, every row, every Open311 document
        for url, text in seen.items():
            leaked = [secret for secret in PERSONAL if secret in text]
            assert not leaked, f"{leaked} at {url}"
    # The data is there, only the people are not: the household tally and the resident income.
    assert '"households":6' in seen["/api/v1/consultation/"].replace(" ", "")


def test_no_bid_before_the_opening_anywhere_in_the_open_data(tender_cast, personas, site_tree):
    tender_cast.three_bids()
    keyed = Client(HTTP_X_API_KEY=api_key_issue(actor=personas.bureau, name="x", organisation="y").raw)
    for client in (Client(), keyed):
        for url, text in crawl_open_data(client).items():
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, f"{leaked} at {url}"
            describes_fields = url == "/api/v1/" or url.startswith("/api/v1/schema/")
            # Not even the bidders' names or the count of bids: no opening record at all.
            assert describes_fields or not re.search(r'"opening_record":\s*\[|"digest"|"uscc"', text), url
    tender = Client().get(f"/api/v1/tenders/{tender_cast.tender.pk}/").json()
    assert tender["opening_record"] is None and tender["status"] == "bidding"


def test_after_the_opening_the_api_publishes_the_opening_record(tender_cast, site_tree):
    tender_cast.three_bids()
    open_now(tender_cast.tender)
    tender = Client().get(f"/api/v1/tenders/{tender_cast.tender.pk}/").json()
    assert tender["status"] == "opened"
    rows = tender["opening_record"]
    assert [row["amount"] for row in rows] == [f"{amount:.2f}" for amount in AMOUNTS]
    assert [row["digest"] for row in rows] == list(
        Bid.objects.filter(tender=tender_cast.tender).order_by("submitted_at", "pk").values_list("digest", flat=True)
    )
    assert all(row["evaluation"] is None for row in rows)  # scores are published with the candidate
