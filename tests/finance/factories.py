"""Contracts set up straight through the ORM (the tendering services are built elsewhere), and
quarter arithmetic relative to today so the tests hold whatever day they run."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from renovation.finance.models import previous_quarter as models_previous_quarter
from renovation.finance.models import quarter_bounds
from renovation.tendering.models import (
    Award,
    Bid,
    Bidder,
    ChangeOrder,
    ChangeOrderStatus,
    Contract,
    ProcurementKind,
    Tender,
    TenderStatus,
)
from renovation.tendering.seal import new_content, seal_content

_numbers = count(1)


def contract_for(project: Any, amount: str = "1000000.00", *, number: str | None = None, company: str = "") -> Contract:
    """A signed contract on ``project`` (tender → bid → award → contract), amounts in yuan."""
    n = next(_numbers)
    now = timezone.now()
    kind, _created = ProcurementKind.objects.get_or_create(code="works-test", defaults={"name": "施工"})
    tender = Tender.objects.create(
        project=project,
        code=f"TEST-{n:05d}",
        title="外立面改造施工",
        kind=kind,
        ceiling_price=Decimal(amount) * 2,
        announcement="招标公告",
        bid_period_start=now - timedelta(days=40),
        bid_period_end=now - timedelta(days=20),
        opening_at=now - timedelta(days=20),
        status=TenderStatus.AWARDED,
    )
    bidder = Bidder.objects.create(
        name=company or f"瑞安市第{n}建筑工程有限公司",
        uscc=f"91330381MA{n:08d}",
        contact_name="王经理",
        contact_phone="13800000000",
    )
    submitted = now - timedelta(days=25)
    content = new_content(
        tender=tender,
        bidder_uscc=bidder.uscc,
        amount=Decimal(amount),
        duration_days=180,
        proposal_name="技术标.pdf",
        proposal_bytes=b"%PDF",
        submitted_at=submitted,
    )
    bid = Bid.objects.create(
        tender=tender,
        bidder=bidder,
        sealed_content=seal_content(content),
        sealed_file=f"bids/{n}.sealed",
        digest=content.digest,
        submitted_at=submitted,
    )
    award = Award.objects.create(tender=tender, bid=bid, bidder=bidder, amount=Decimal(amount), duration_days=180)
    return Contract.objects.create(
        award=award,
        project=project,
        contractor=bidder,
        number=number or f"HT-{n:04d}",
        amount=Decimal(amount),
        signed_on=date(2020, 1, 1),
        start_on=date(2020, 1, 1),
        end_on=date(2030, 12, 31),
    )


def change_order(contract: Contract, amount: str, status: str = ChangeOrderStatus.APPROVED) -> ChangeOrder:
    sequence = contract.change_orders.count() + 1
    return ChangeOrder.objects.create(
        contract=contract, sequence=sequence, reason="增加屋面防水", amount_change=Decimal(amount), status=status
    )


def previous_quarter(today: date | None = None) -> tuple[int, int]:
    return models_previous_quarter(today or timezone.localdate())


def day_in_previous_quarter(offset: int = 0) -> date:
    first, _last = quarter_bounds(*previous_quarter())
    return first + timedelta(days=offset)
