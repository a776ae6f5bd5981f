"""Demo tenders through the street channel: announce, real sealed bids from the demo companies,
opening, evaluation, publicity, award and the signed contract, each step at its moment on the
demo clock. The company that wins is the one that signs, builds and is paid.

Bids are varied the way real ones are: each tender has its own level of competition (some bids
close to the ceiling price, most 3-14 % under it), every company prices on its own, and no two
companies ever offer the same amount."""

from __future__ import annotations

import random
from collections.abc import Generator
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from renovation.accounts.services import resident_account_ensure
from renovation.projects.models import Project, WorkItem
from renovation.tendering import bidding, contracts, registration, services
from renovation.tendering.codes import uscc_check_character
from renovation.tendering.kinds import kind
from renovation.tendering.models import Award, Bidder, Contract, Tender

from .clock import at

# Company, the first 17 characters of its (made-up) unified social credit code.
COMPANIES = [
    ("瑞安市建筑工程有限公司", "91330381MA2HX0A1"),
    ("温州宏业建设有限公司", "91330300MA2CB7K2"),
    ("浙江安居市政园林有限公司", "91330000MA28F5Q3"),
    ("瑞安市城建集团", "91330381MA2J8RT4"),
    ("温州恒达建设工程有限公司", "91330301MA2AW9P5"),
]
CENT = Decimal("0.01")

# How long the steps of a tender take, in days from its announcement.
BID_DAYS = 15
OPENING_DAY = 16
PUBLICITY_DAYS = 3
AWARD_DAY = OPENING_DAY + 1 + PUBLICITY_DAYS + 1  # evaluated the day after opening
CONTRACT_DAY = AWARD_DAY + 3


def demo_bidders(*, new_password: Any, account_class: Any) -> tuple[list[Bidder], list[Any]]:
    """The demo's bidding companies, each with an account (bidder1 … bidder5)."""
    User = get_user_model()
    bidders, accounts = [], []
    for index, (name, prefix) in enumerate(COMPANIES, start=1):
        username = f"bidder{index}"
        exists = User.objects.filter(username=username).exists()
        password = new_password(exists)
        user = resident_account_ensure(username=username, full_name=f"{name}投标专员", password=password)
        uscc = prefix + "0" + uscc_check_character(prefix + "0")
        bidder = Bidder.objects.filter(uscc=uscc).first()
        if bidder is None:
            bidder = bidding.bidder_register(
                actor=user,
                data={
                    "name": name,
                    "uscc": uscc,
                    "contact_name": "王经理",
                    "contact_phone": f"0577-6588{index:04d}",
                    "address": "浙江省瑞安市",
                },
            )
        if not bidder.may_bid:
            # The demo companies' qualifications were reviewed and approved by the bureau.
            reviewer = User.objects.filter(staff_profile__role="bureau").order_by("pk").first()
            bidder = registration.bidder_review(actor=reviewer, bidder=bidder, decision="approved")
        bidders.append(bidder)
        if index <= 2:
            accounts.append(account_class(username, "bidder", None, name, password, not exists))
    return bidders, accounts


def _proposal(name: str) -> SimpleUploadedFile:
    text = f"{name} 技术标：施工组织设计、质量与安全保证措施、工期计划。".encode()
    return SimpleUploadedFile(f"{name}-技术标.pdf", b"%PDF-1.4\n" + text, content_type="application/pdf")


def bid_amounts(ceiling: Decimal, count: int, rng: random.Random) -> list[Decimal]:
    """``count`` different amounts under ``ceiling``: a level of competition for the tender, then
    each company's own pricing around it (never above 99.6 % of the ceiling, never equal)."""
    level = rng.choice([rng.uniform(0.955, 0.985), rng.uniform(0.88, 0.95), rng.uniform(0.9, 0.96)])
    amounts: list[Decimal] = []
    while len(amounts) < count:
        share = min(0.996, max(0.8, rng.gauss(level, 0.022)))
        amount = (ceiling * Decimal(str(share))).quantize(CENT, ROUND_HALF_UP)
        if all(abs(amount - other) >= Decimal("100") for other in amounts):
            amounts.append(amount)
    return amounts


class DemoTendering:
    def __init__(self, *, staff: Any, bidders: list[Bidder]) -> None:
        self.staff = staff
        self.bidders = bidders

    def _create(self, project: Project, items: list[WorkItem], start: date, title: str) -> Tender:
        """Create and announce at the current moment (``start`` 09:00)."""
        ceiling = sum((item.budget for item in items), Decimal(0))
        comprehensive = len(items) > 1
        tender = services.tender_create(
            actor=self.staff,
            data={
                "project": project,
                "title": title,
                "kind": kind("construction"),
                "ceiling_price": ceiling,
                "method": "comprehensive" if comprehensive else "lowest_price",
                "price_weight": 60 if comprehensive else None,
                "technical_weight": 40 if comprehensive else None,
                "announcement": (
                    f"{project.name}：{'、'.join(item.description for item in items)}，"
                    f"经业主大会决定通过街道公共资源交易渠道公开招标，欢迎符合资质的单位投标。"
                ),
                "bid_period_start": at(start, 9),
                "bid_period_end": at(start + timedelta(days=BID_DAYS), 17),
                "opening_at": at(start + timedelta(days=OPENING_DAY), 9, 30),
                "publicity_days": PUBLICITY_DAYS,
            },
            work_items=items,
        )
        return services.tender_announce(actor=self.staff, tender=tender)

    def _bids(
        self, tender: Tender, bidders: list[Bidder], first_day: date, rng: random.Random
    ) -> Generator[datetime, None, None]:
        amounts = bid_amounts(tender.ceiling_price, len(bidders), rng)
        for offset, (bidder, amount) in enumerate(zip(bidders, amounts, strict=True)):
            yield at(
                first_day + timedelta(days=offset * 2 + rng.randint(0, 1)), 9 + rng.randint(0, 7), rng.randint(0, 59)
            )
            bidding.bid_submit(
                actor=bidder.accounts.first(),
                tender=tender,
                bidder=bidder,
                amount=amount,
                duration_days=rng.choice([150, 180, 200, 210, 240]),
                proposal=_proposal(bidder.name),
            )

    def _evaluate(self, tender: Tender, rng: random.Random) -> Tender:
        tender = services.tender_catch_up(tender=tender)
        scores = {
            bid.pk: {"compliant": True, "technical_score": Decimal(rng.randint(7400, 9600)) / 100, "note": ""}
            for bid in tender.bids.order_by("pk")
        }
        tender = services.tender_evaluate(actor=self.staff, tender=tender, scores=scores)
        return services.tender_publicize(actor=self.staff, tender=tender)

    def tender_to_contract(
        self, project: Project, items: list[WorkItem], start: date, title: str, *, works_start: date, rng: random.Random
    ) -> Generator[datetime, None, Contract]:
        """From announcement to signed contract (the story yields its moments; returns the contract)."""
        yield at(start, 9)
        tender = self._create(project, items, start, title)
        bidders = rng.sample(self.bidders, rng.randint(3, len(self.bidders)))
        yield from self._bids(tender, bidders, start + timedelta(days=1), rng)
        yield at(start + timedelta(days=OPENING_DAY + 1), 15)
        tender = self._evaluate(tender, rng)
        yield at(start + timedelta(days=AWARD_DAY), 10)
        award = services.tender_award(actor=self.staff, tender=tender)
        signed = start + timedelta(days=CONTRACT_DAY)
        yield at(signed, 10)
        return contracts.contract_sign(
            actor=self.staff,
            tender=tender,
            data={
                "number": f"{tender.code}-HT",
                "amount": award.amount,
                "signed_on": signed,
                "start_on": works_start,
                "end_on": works_start + timedelta(days=award.duration_days),
            },
        )

    def failed_and_again(self, project: Project, today: date, rng: random.Random) -> Generator[datetime, None, None]:
        """A tender that drew too few bids (流标), announced again and open for bids today."""
        items = list(project.work_items.order_by("sort_order", "pk")[:2])
        start = today - timedelta(days=25)
        yield at(start, 9)
        failed = self._create(project, items, start, f"{project.name}改造工程施工")
        yield from self._bids(failed, self.bidders[:2], start + timedelta(days=1), rng)
        yield at(start + timedelta(days=OPENING_DAY), 10)
        failed = services.tender_catch_up(tender=failed)
        again = today - timedelta(days=4)
        yield at(again, 9)
        tender = services.tender_reannounce(
            actor=self.staff,
            tender=failed,
            data={
                "title": f"{project.name}改造工程施工（重新招标）",
                "bid_period_start": at(again, 9),
                "bid_period_end": at(again + timedelta(days=BID_DAYS), 17),
                "opening_at": at(again + timedelta(days=OPENING_DAY), 9, 30),
            },
        )
        services.tender_announce(actor=self.staff, tender=tender)
        yield from self._bids(tender, self.bidders[2:4], again, rng)

    def in_publicity(self, project: Project, today: date, rng: random.Random) -> Generator[datetime, None, None]:
        """A tender whose winner candidate is in publicity today."""
        items = list(project.work_items.order_by("sort_order", "pk")[:1])
        start = today - timedelta(days=OPENING_DAY + 2)
        yield at(start, 9)
        tender = self._create(project, items, start, f"{project.name}{items[0].description}")
        yield from self._bids(tender, self.bidders[:4], start + timedelta(days=1), rng)
        yield at(today - timedelta(days=1), 15)
        self._evaluate(tender, rng)


def contract_winner(contract: Contract) -> str:
    return Award.objects.select_related("bidder").get(pk=contract.award_id).bidder.name
