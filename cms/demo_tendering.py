"""Demo tenders: every project that reached construction tendered its must-tender works through
the street channel first (announce, sealed bids, opening, evaluation, publicity, award, contract),
and the current year has tenders open for bids, in publicity and failed, to look at.

The services read the clock; the demo runs each step at the date it would have happened by
moving Django's clock for the duration of the call (demo only).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renovation.accounts.services import resident_account_ensure
from renovation.projects.models import Project, WorkItem
from renovation.tendering import bidding, contracts, registration, services
from renovation.tendering.codes import uscc_check_character
from renovation.tendering.kinds import kind
from renovation.tendering.models import Bidder, Tender
from renovation.tendering.selectors import mandatory_work_items

# Company, the first 17 characters of its (made-up) unified social credit code.
COMPANIES = [
    ("瑞安市建筑工程有限公司", "91330381MA2HX0A1"),
    ("温州宏业建设有限公司", "91330300MA2CB7K2"),
    ("浙江安居市政园林有限公司", "91330000MA28F5Q3"),
    ("瑞安市城建集团", "91330381MA2J8RT4"),
    ("温州恒达建设工程有限公司", "91330301MA2AW9P5"),
]


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


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


class DemoTendering:
    def __init__(self, *, staff: Any, bidders: list[Bidder], rng: random.Random) -> None:
        self.staff = staff
        self.bidders = bidders
        self.rng = rng

    def _create(self, project: Project, items: list[WorkItem], start: date, title: str) -> Tender:
        ceiling = sum((item.budget for item in items), Decimal(0)) or Decimal(100_000)
        construction = kind("construction")
        with clock_at(_at(start, 9)):
            tender = services.tender_create(
                actor=self.staff,
                data={
                    "project": project,
                    "title": title,
                    "kind": construction,
                    "ceiling_price": ceiling,
                    "method": "comprehensive" if len(items) > 1 else "lowest_price",
                    "price_weight": 60 if len(items) > 1 else None,
                    "technical_weight": 40 if len(items) > 1 else None,
                    "announcement": (
                        f"{project.name}：{'、'.join(item.description for item in items)}，"
                        f"经业主大会决定通过街道公共资源交易渠道公开招标，欢迎符合资质的单位投标。"
                    ),
                    "bid_period_start": _at(start, 9),
                    "bid_period_end": _at(start + timedelta(days=15), 17),
                    "opening_at": _at(start + timedelta(days=16), 9, 30),
                    "publicity_days": 3,
                },
                work_items=items,
            )
            services.tender_announce(actor=self.staff, tender=tender)
        return tender

    def _bid(self, tender: Tender, bidders: list[Bidder], day: date, favourite: str = "") -> None:
        for offset, bidder in enumerate(bidders):
            share = Decimal(self.rng.randint(86, 99)) / 100
            if bidder.name == favourite:
                share = Decimal("0.85")
            user = bidder.accounts.first()
            with clock_at(_at(day + timedelta(days=offset), 10 + offset)):
                bidding.bid_submit(
                    actor=user,
                    tender=tender,
                    bidder=bidder,
                    amount=(tender.ceiling_price * share).quantize(Decimal("1")),
                    duration_days=self.rng.choice([90, 120, 150, 180]),
                    proposal=_proposal(bidder.name),
                )

    def _evaluate(self, tender: Tender, day: date) -> Tender:
        with clock_at(_at(day, 15)):
            tender = services.tender_catch_up(tender=tender)
            scores = {
                bid.pk: {"compliant": True, "technical_score": Decimal(self.rng.randint(78, 95)), "note": ""}
                for bid in tender.bids.all()
            }
            tender = services.tender_evaluate(actor=self.staff, tender=tender, scores=scores)
            return services.tender_publicize(actor=self.staff, tender=tender)

    def complete(self, project: Project, before: date) -> None:
        """A finished tender for the project's must-tender works, awarded before ``before``."""
        items = list(mandatory_work_items(project))
        if not items or Tender.objects.filter(project=project).exists():
            return
        start = before - timedelta(days=32)
        tender = self._create(project, items, start, f"{project.name}施工")
        favourite = project.construction_unit or self.bidders[0].name
        self._bid(tender, self.bidders[:4], start + timedelta(days=2), favourite)
        tender = self._evaluate(tender, start + timedelta(days=17))
        award_day = start + timedelta(days=21)
        with clock_at(_at(award_day, 10)):
            award = services.tender_award(actor=self.staff, tender=tender)
        with clock_at(_at(award_day + timedelta(days=3), 10)):
            contracts.contract_sign(
                actor=self.staff,
                tender=tender,
                data={
                    "number": f"{tender.code}-HT",
                    "amount": award.amount,
                    "signed_on": award_day + timedelta(days=3),
                    "start_on": before,
                    "end_on": before + timedelta(days=award.duration_days),
                },
            )

    def current(self, projects: list[Project], today: date) -> None:
        """Tenders to look at now: one failed (流标) and announced again, open for bids; one with
        its winner candidate in publicity."""
        candidates = [p for p in projects if not Tender.objects.filter(project=p).exists()]
        if candidates:
            project = candidates[0]
            items = list(project.work_items.all()[:2])
            start = today - timedelta(days=25)
            failed = self._create(project, items, start, f"{project.name}改造工程施工")
            self._bid(failed, self.bidders[:2], start + timedelta(days=1))
            with clock_at(_at(start + timedelta(days=17), 9)):
                failed = services.tender_catch_up(tender=failed)
            again = today - timedelta(days=3)
            with clock_at(_at(again, 9)):
                tender = services.tender_reannounce(
                    actor=self.staff,
                    tender=failed,
                    data={
                        "title": f"{project.name}改造工程施工（重新招标）",
                        "bid_period_start": _at(again, 9),
                        "bid_period_end": _at(again + timedelta(days=15), 17),
                        "opening_at": _at(again + timedelta(days=16), 9, 30),
                    },
                )
                services.tender_announce(actor=self.staff, tender=tender)
            self._bid(tender, self.bidders[2:4], today - timedelta(days=2))
        if len(candidates) >= 2:
            project = candidates[1]
            items = list(project.work_items.all()[:1])
            start = today - timedelta(days=18)
            tender = self._create(project, items, start, f"{project.name}{items[0].description}")
            self._bid(tender, self.bidders[:4], start + timedelta(days=1))
            self._evaluate(tender, today - timedelta(days=1))
