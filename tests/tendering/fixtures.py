"""The tendering cast: an approved project in street A with two work items, a tender announced
and open for bids, and four bidding companies (three bid, one does not).

Time moves the way it does in production: the tender's own dates are moved into the past
(``open_now``, ``end_publicity``) instead of patching the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renovation.projects.models import ProjectStatus
from renovation.tendering import bidding, registration, services
from renovation.tendering.codes import uscc_check_character
from renovation.tendering.kinds import kind
from renovation.tendering.models import Bid, Tender
from tests.factories import ProjectFactory, UserFactory, WorkItemFactory

# Amounts no other figure on any page is likely to share, so a leak is unmistakable.
AMOUNTS = [Decimal("873456.21"), Decimal("861234.57"), Decimal("898765.43")]
PROPOSAL_NAMES = ["甲公司绝密技术标.pdf", "乙公司绝密技术标.pdf", "丙公司绝密技术标.pdf"]


def uscc(prefix: str) -> str:
    body = (prefix + "0" * 17)[:17]
    return body + uscc_check_character(body)


def proposal(name: str = "技术标.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 technical proposal " + name.encode(), content_type="application/pdf")


def open_now(tender: Tender) -> Tender:
    """Move the bid period and opening time into the past: the seal lifts by the clock."""
    now = timezone.now()
    Tender.objects.filter(pk=tender.pk).update(
        bid_period_start=now - timedelta(days=10),
        bid_period_end=now - timedelta(minutes=2),
        opening_at=now - timedelta(minutes=1),
    )
    return Tender.objects.get(pk=tender.pk)


def end_publicity(tender: Tender) -> Tender:
    now = timezone.now()
    Tender.objects.filter(pk=tender.pk).update(
        publicity_start=now - timedelta(days=4), publicity_end=now - timedelta(minutes=1)
    )
    return Tender.objects.get(pk=tender.pk)


@dataclass
class TenderCast:
    project: Any
    items: list[Any]
    tender: Any
    bidders: list[Any]  # four companies
    accounts: list[Any]  # one user per company

    def bid(self, index: int, amount: Decimal | None = None, name: str | None = None, days: int = 120) -> Bid:
        return bidding.bid_submit(
            actor=self.accounts[index],
            tender=self.tender,
            bidder=self.bidders[index],
            amount=amount if amount is not None else AMOUNTS[index],
            duration_days=days,
            proposal=proposal(name or PROPOSAL_NAMES[index]),
        )

    def three_bids(self) -> list[Bid]:
        return [self.bid(index) for index in range(3)]


def tender_data(project: Any, **overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "project": project,
        "title": "飞云花园外立面及雨污分流改造施工",
        "kind": kind("construction"),
        "ceiling_price": Decimal("900000.00"),
        "method": "lowest_price",
        "price_weight": None,
        "technical_weight": None,
        "announcement": "经业主大会决定，公开招标。",
        "bid_period_start": now - timedelta(hours=1),
        "bid_period_end": now + timedelta(days=10),
        "opening_at": now + timedelta(days=10, hours=1),
        "publicity_days": 3,
    }
    data.update(overrides)
    return data


@pytest.fixture
def tender_cast(personas) -> TenderCast:
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.APPROVED, name="飞云花园改造")
    items = [
        WorkItemFactory(project=project, description="外立面整治", budget=Decimal("600000")),
        WorkItemFactory(project=project, description="雨污分流", budget=Decimal("300000")),
    ]
    tender = services.tender_create(actor=personas.street_a, data=tender_data(project), work_items=items)
    tender = services.tender_announce(actor=personas.street_a, tender=tender)
    names = ["瑞安甲建设有限公司", "温州乙建设有限公司", "浙江丙市政有限公司", "瑞安丁园林有限公司"]
    accounts, bidders = [], []
    for index, name in enumerate(names):
        user = UserFactory(username=f"bidder{index}")
        bidder = bidding.bidder_register(
            actor=user,
            data={
                "name": name,
                "uscc": uscc(f"9133038{index}MA2H"),
                "contact_name": "王经理",
                "contact_phone": "0577-65880000",
                "address": "",
            },
        )
        # Staff approved the company's qualifications: only approved companies bid.
        bidder = registration.bidder_review(actor=personas.bureau, bidder=bidder, decision="approved")
        accounts.append(user)
        bidders.append(bidder)
    return TenderCast(project=project, items=items, tender=tender, bidders=bidders, accounts=accounts)
