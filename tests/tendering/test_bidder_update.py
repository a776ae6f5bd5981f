"""A company editing its own record changes a public page only when what the public sees of it
(its name, its credit code) changed and it stands on a tender's or a project's page: a new phone
number, or a company that never bid, invalidates nothing (it used to mark every project's
open-data texts and the home page stale, and queue a rebuild of them all)."""

from __future__ import annotations

import pytest

from renovation.public.cache import Change
from renovation.tendering import bidding

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(monkeypatch):
    calls: list[tuple[Change, dict]] = []
    monkeypatch.setattr(bidding, "pages_changed", lambda change, **kwargs: calls.append((change, kwargs)))
    return calls


def test_a_company_that_never_bid_changes_no_page(tender_cast, reported):
    company, account = tender_cast.bidders[3], tender_cast.accounts[3]
    bidding.bidder_update(actor=account, bidder=company, data={"contact_phone": "0577-65881111"})
    bidding.bidder_update(actor=account, bidder=company, data={"name": "瑞安丁园林工程有限公司"})
    assert reported == []
    company.refresh_from_db()
    assert (company.name, company.contact_phone) == ("瑞安丁园林工程有限公司", "0577-65881111")


def test_a_bidders_contact_details_change_no_page(tender_cast, reported):
    tender_cast.bid(0)
    company, account = tender_cast.bidders[0], tender_cast.accounts[0]
    bidding.bidder_update(
        actor=account,
        bidder=company,
        data={"contact_name": "李经理", "contact_phone": "0577-65882222", "address": "安阳路1号"},
    )
    assert reported == []


def test_a_bidders_new_name_changes_its_tenders_and_their_projects_pages(tender_cast, reported):
    tender_cast.bid(0)
    company, account = tender_cast.bidders[0], tender_cast.accounts[0]
    bidding.bidder_update(actor=account, bidder=company, data={"name": "瑞安甲建设集团有限公司"})
    assert reported == [
        (Change.TENDER, {"tender_ids": {tender_cast.tender.pk}, "project_ids": {tender_cast.project.pk}})
    ]
