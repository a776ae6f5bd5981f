"""Demo data for `make run`: Ruian's three streets, the 2023 plan (29 projects), last year's plan
and a current-year plan in every stage, told as it happened.

Every record is written through the domain services at the moment it happened, on a clock that
travels from December 2022 to today (see `clock.py`): households are asked and the owners'
assembly approves before a project is approved, tenders are announced before bids come in, sealed
bids are opened, evaluated and publicised before the award, the winner signs the contract before
the works start, and is the company that builds and is paid. Money arrives in tranches and is paid
out on each contract as the works advance; ended quarters are disclosed. Some projects finished
early and some late, one is late today, one has stalled and one is suspended.

Deterministic (seeded random numbers, a fixed "today" parameter) and idempotent: a project that
exists is left alone.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import import_string
from wagtail.signal_handlers import disable_reference_index_auto_update

from cms.services import project_pages_sync
from renovation.accounts.models import StaffRole
from renovation.accounts.services import staff_account_ensure
from renovation.demo.places import estate_position
from renovation.evaluation.services import monthly_evaluations_freeze
from renovation.places import services as place_services
from renovation.places.models import Community, ManagementType, Neighbourhood, Street
from renovation.projects import services as project_services
from renovation.projects.models import PhotoPhase, Project, ProjectStatus, WorkCategory, WorkItem
from renovation.tendering import contracts as contract_services
from renovation.tendering.models import Contract

from . import consultation as demo_consultation
from . import photos as demo_photos
from .clock import DemoClock, at
from .finance import DemoLedger
from .supervision import discussion_story, issue_stories, supervision_story
from .tendering import CONTRACT_DAY, DemoTendering, demo_bidders

# Further demo steps, run after the history at the real time: dotted paths to functions taking
# `new_password` and `account_class` and returning the accounts they made (`list[Account]`, printed
# by the command). Apps with demo data of their own (resident accounts, join codes…) add one line here.
EXTRA_STEPS: list[str] = [
    "renovation.residents.demo.seed_residents",
    "renovation.api.demo.seed_api_key",
    "cms.demo.seed_notices",
    "renovation.demo.follows.seed_follows",
]

STREETS = [
    ("安阳街道", "anyang", ["虹桥社区", "万松社区", "安阳社区"]),
    ("玉海街道", "yuhai", ["西山社区", "玉海社区", "隆山社区"]),
    ("锦湖街道", "jinhu", ["锦湖社区", "东山社区", "汀田社区"]),
]

# name, street code, community, built year, buildings, households, management
NEIGHBOURHOODS_2023 = [
    ("兴业大厦", "anyang", "虹桥社区", 1996, 2, 168, ManagementType.PROPERTY_COMPANY),
    ("飞云花园", "anyang", "万松社区", 1998, 12, 483, ManagementType.PROPERTY_COMPANY),
    ("万松新村", "anyang", "万松社区", 1989, 9, 312, ManagementType.COMMUNITY),
    ("虹桥小区", "anyang", "虹桥社区", 1992, 7, 254, ManagementType.SELF_MANAGED),
    ("安阳新村", "anyang", "安阳社区", 1987, 11, 396, ManagementType.COMMUNITY),
    ("华侨新村", "anyang", "安阳社区", 1994, 6, 188, ManagementType.SELF_MANAGED),
    ("百好小区", "anyang", "虹桥社区", 1997, 5, 160, ManagementType.PROPERTY_COMPANY),
    ("商城大厦", "anyang", "安阳社区", 1999, 1, 96, ManagementType.PROPERTY_COMPANY),
    ("解放新村", "anyang", "万松社区", 1985, 8, 276, ManagementType.COMMUNITY),
    ("人民新村", "anyang", "安阳社区", 1986, 10, 342, ManagementType.COMMUNITY),
    ("西山公寓", "yuhai", "西山社区", 1995, 4, 144, ManagementType.SELF_MANAGED),
    ("玉海苑", "yuhai", "玉海社区", 1998, 6, 220, ManagementType.PROPERTY_COMPANY),
    ("隆山花园", "yuhai", "隆山社区", 1997, 8, 298, ManagementType.PROPERTY_COMPANY),
    ("建设新村", "yuhai", "玉海社区", 1988, 12, 410, ManagementType.COMMUNITY),
    ("物华小区", "yuhai", "西山社区", 1993, 5, 176, ManagementType.SELF_MANAGED),
    ("新华小区", "yuhai", "隆山社区", 1991, 7, 232, ManagementType.COMMUNITY),
    ("外滩小区", "yuhai", "玉海社区", 1996, 4, 150, ManagementType.PROPERTY_COMPANY),
    ("玉带苑", "yuhai", "西山社区", 1999, 3, 118, ManagementType.PROPERTY_COMPANY),
    ("塘河小区", "yuhai", "隆山社区", 1990, 6, 204, ManagementType.COMMUNITY),
    ("广场新村", "yuhai", "玉海社区", 1984, 9, 330, ManagementType.COMMUNITY),
    ("锦湖新村", "jinhu", "锦湖社区", 1990, 10, 364, ManagementType.COMMUNITY),
    ("东山小区", "jinhu", "东山社区", 1993, 6, 210, ManagementType.SELF_MANAGED),
    ("汀田公寓", "jinhu", "汀田社区", 1998, 3, 108, ManagementType.PROPERTY_COMPANY),
    ("瑞祥新村", "jinhu", "锦湖社区", 1992, 8, 286, ManagementType.COMMUNITY),
    ("金丰花园", "jinhu", "东山社区", 1999, 7, 252, ManagementType.PROPERTY_COMPANY),
    ("滨江小区", "jinhu", "汀田社区", 1995, 5, 180, ManagementType.SELF_MANAGED),
    ("安康新村", "jinhu", "锦湖社区", 1987, 9, 318, ManagementType.COMMUNITY),
    ("锦绣花园", "jinhu", "东山社区", 1998, 6, 226, ManagementType.PROPERTY_COMPANY),
    ("莘塍公寓", "jinhu", "汀田社区", 1994, 4, 132, ManagementType.SELF_MANAGED),
]
# ... plus the status it reaches, how its works go and how many days before today it was created.
NEIGHBOURHOODS_CURRENT = [
    (
        "虹桥新村二期",
        "anyang",
        "虹桥社区",
        1993,
        8,
        266,
        ManagementType.COMMUNITY,
        ProjectStatus.UNDER_CONSTRUCTION,
        "late",
        330,
    ),
    (
        "万松公寓",
        "anyang",
        "万松社区",
        1997,
        3,
        120,
        ManagementType.SELF_MANAGED,
        ProjectStatus.PROPOSED,
        "on_time",
        20,
    ),
    (
        "西山新村",
        "yuhai",
        "西山社区",
        1989,
        9,
        301,
        ManagementType.COMMUNITY,
        ProjectStatus.UNDER_CONSTRUCTION,
        "stalled",
        290,
    ),
    (
        "隆山小区",
        "yuhai",
        "隆山社区",
        1992,
        5,
        170,
        ManagementType.SELF_MANAGED,
        ProjectStatus.CONSULTING,
        "on_time",
        45,
    ),
    (
        "玉海大厦",
        "yuhai",
        "玉海社区",
        1999,
        1,
        84,
        ManagementType.PROPERTY_COMPANY,
        ProjectStatus.TENDERING,
        "on_time",
        110,
    ),
    (
        "锦湖花园",
        "jinhu",
        "锦湖社区",
        1998,
        7,
        244,
        ManagementType.PROPERTY_COMPANY,
        ProjectStatus.APPROVED,
        "on_time",
        100,
    ),
    ("东山新村", "jinhu", "东山社区", 1986, 10, 352, ManagementType.COMMUNITY, ProjectStatus.ACCEPTED, "early", 320),
    ("汀田小区", "jinhu", "汀田社区", 1995, 4, 140, ManagementType.SELF_MANAGED, ProjectStatus.PROPOSED, "on_time", 12),
]

# category → (description, unit, typical quantity range, budget range in yuan)
WORKS: dict[str, list[tuple[str, str, tuple[int, int], tuple[int, int]]]] = {
    WorkCategory.BUILDING: [
        ("外立面整治及屋面防水", "m²", (3000, 12000), (600_000, 2_400_000)),
        ("楼道改造与扶手加装", "个", (10, 60), (150_000, 600_000)),
        ("加装电梯", "部", (1, 4), (600_000, 2_000_000)),
    ],
    WorkCategory.ROADS: [
        ("道路黑化及停车位重划", "m²", (2000, 8000), (300_000, 1_200_000)),
        ("电动自行车棚及充电桩", "处", (2, 8), (120_000, 400_000)),
    ],
    WorkCategory.NETWORKS: [
        ("雨污分流改造", "m", (500, 2500), (400_000, 1_500_000)),
        ("强弱电“上改下”及光纤入户", "m", (800, 3000), (300_000, 1_100_000)),
        ("供水管网及二次供水改造", "m", (400, 1800), (250_000, 900_000)),
    ],
    WorkCategory.GREENING: [
        ("景观绿化提升", "m²", (800, 4000), (150_000, 600_000)),
        ("口袋公园及休闲步道", "处", (1, 3), (100_000, 450_000)),
    ],
    WorkCategory.CARE: [
        ("居家养老服务站", "处", (1, 1), (200_000, 600_000)),
        ("托育点及儿童游乐设施", "处", (1, 2), (120_000, 380_000)),
    ],
    WorkCategory.GOVERNANCE: [
        ("智慧安防及监控升级", "套", (1, 1), (180_000, 2_020_000)),
        ("党群服务驿站及物业用房", "m²", (60, 200), (150_000, 500_000)),
    ],
}

# Work items per project whose progress reports carry photos of the works (before, during, after).
PHOTOGRAPHED_ITEMS = 2

SUPERVISORS = ["瑞安市建设监理有限公司", "温州正信工程管理有限公司", "浙江求实项目管理有限公司"]

# Last year's plan and this year's are placed relative to today (days before it), so the demo
# tells the same story whichever day it is loaded.
# name, street code, community, built year, buildings, households, management
NEIGHBOURHOODS_LAST_YEAR = [
    ("新城小区", "yuhai", "玉海社区", 1994, 6, 210, ManagementType.COMMUNITY),
    ("罗阳新村", "anyang", "安阳社区", 1991, 7, 240, ManagementType.COMMUNITY),
    ("湖岭小区", "jinhu", "锦湖社区", 1996, 5, 180, ManagementType.SELF_MANAGED),
]

EARLY, ON_TIME, LATE, STALLED, SUSPENDED = "early", "on_time", "late", "stalled", "suspended"


@dataclass(frozen=True)
class Plan:
    """One project's story: when it was created, how far it gets and how the works go."""

    spec: tuple
    created: date
    target: str
    fate: str = ON_TIME
    finish_offset: int = 0  # days after the planned completion the works finished (negative: early)


# How the 2023 plan's works finished against their planned completion (days; cycled).
FINISH_OFFSETS_2023 = [-21, 9, -6, 34, 0, -14, 52, 4, -30, 17, 11, -3]
SUSPENDED_2023 = "锦绣花园"

# Day offsets of a project's story from its creation (day 0).
CONSULTING_DAY, INTENTS_DAY, DELIBERATION_DAY, APPROVAL_DAY, TENDER_DAY = 7, 14, 15, 36, 40
WORKS_DAY = TENDER_DAY + 2 + CONTRACT_DAY + 4  # the second lot is announced two days after the first


@dataclass
class Account:
    username: str
    role: str
    street_code: str | None
    display_name: str
    password: str | None  # None when the account already existed and keeps its password
    created: bool


class DemoSeeder:
    def __init__(self, *, today: date, reset_passwords: bool = False, stdout: Any = None) -> None:
        self.today = today
        self.reset_passwords = reset_passwords
        self.rng = random.Random(2023)
        self.stdout = stdout
        self.accounts: list[Account] = []

    # --- places and people -------------------------------------------------------------------

    def _new_password(self, exists: bool) -> str | None:
        # 32 random characters: Django's similarity validator can never find them too close to a
        # demo account name (of up to 17 characters), so the seed never fails by chance.
        return secrets.token_urlsafe(24) if (not exists or self.reset_passwords) else None

    def _admin(self) -> Account:
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        password = self._new_password(admin is not None)
        if admin is None:
            admin = User.objects.create_superuser("admin", email="", password=password)
        elif password is not None:
            admin.set_password(password)
            admin.save()
        return Account(
            "admin", "superuser", None, "系统管理员", password, password is not None and not admin.last_login
        )

    def _staff_accounts(self) -> list[Account]:
        User = get_user_model()
        specs = [
            ("bureau", StaffRole.BUREAU, None, "住建局 王科长"),
            ("anyang", StaffRole.STREET, "anyang", "安阳街道 陈主任"),
            ("yuhai", StaffRole.STREET, "yuhai", "玉海街道 林主任"),
            ("jinhu", StaffRole.STREET, "jinhu", "锦湖街道 郑主任"),
        ]
        result = []
        for username, role, street_code, name in specs:
            password = self._new_password(User.objects.filter(username=username).exists())
            street = Street.objects.get(code=street_code) if street_code else None
            _user, created = staff_account_ensure(
                username=username, role=role, street=street, display_name=name, password=password
            )
            result.append(Account(username, role, street_code, name, password, created))
        return result

    def places(self, actor: Any) -> None:
        for order, (name, code, communities) in enumerate(STREETS):
            street = Street.objects.filter(code=code).first() or place_services.street_create(
                actor=actor, data={"name": name, "code": code, "sort_order": order}
            )
            for community_name in communities:
                if not Community.objects.filter(street=street, name=community_name).exists():
                    place_services.community_create(actor=actor, data={"street": street, "name": community_name})
        for spec in NEIGHBOURHOODS_2023 + NEIGHBOURHOODS_LAST_YEAR + [row[:7] for row in NEIGHBOURHOODS_CURRENT]:
            self._neighbourhood(actor, *spec)

    def _neighbourhood(
        self,
        actor: Any,
        name: str,
        street: str,
        community: str,
        built: int,
        buildings: int,
        households: int,
        management: str,
    ) -> Neighbourhood:
        existing = Neighbourhood.objects.filter(name=name, community__street__code=street).first()
        if existing:
            return existing
        community_obj = Community.objects.get(street__code=street, name=community)
        latitude, longitude = estate_position(name, street)
        return place_services.neighbourhood_create(
            actor=actor,
            data={
                "community": community_obj,
                "name": name,
                "address": f"瑞安市{community_obj.street.name}{community}{name}",
                "built_year": built,
                "building_count": buildings,
                "household_count": households,
                "floor_area": Decimal(households * self.rng.randint(70, 95)),
                "management_type": management,
                "latitude": latitude,
                "longitude": longitude,
            },
        )

    # --- the plans ---------------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        """Every project's story, oldest plan first."""
        today = self.today
        plans = []
        for index, spec in enumerate(NEIGHBOURHOODS_2023):
            created = date(2023, 1, 4) + timedelta(days=2 * index)
            if spec[0] == SUSPENDED_2023:
                plans.append(Plan(spec, created, ProjectStatus.SUSPENDED, SUSPENDED))
                continue
            offset = FINISH_OFFSETS_2023[index % len(FINISH_OFFSETS_2023)]
            target = ProjectStatus.AFTERCARE if index % 3 == 0 else ProjectStatus.ACCEPTED
            plans.append(Plan(spec, created, target, EARLY if offset < 0 else ON_TIME, offset))
        last_year = [
            (-24, ProjectStatus.AFTERCARE, EARLY, 690),
            (0, ProjectStatus.UNDER_CONSTRUCTION, LATE, 660),
            (38, ProjectStatus.ACCEPTED, ON_TIME, 640),
        ]
        for spec, (offset, target, fate, days) in zip(NEIGHBOURHOODS_LAST_YEAR, last_year, strict=True):
            plans.append(Plan(spec, today - timedelta(days=days), target, fate, offset))
        for row in NEIGHBOURHOODS_CURRENT:
            spec, target, fate, days = row[:7], row[7], row[8], row[9]
            plans.append(Plan(spec, today - timedelta(days=days), target, fate, -32 if fate == EARLY else 0))
        return plans

    def _plan_year(self, plan: Plan) -> int:
        if plan.created.year == 2023:
            return 2023
        # A year's plan is drawn up in the autumn before it; never a year still to come.
        return min((plan.created + timedelta(days=60)).year, self.today.year)

    def _code(self, year: int) -> str:
        number = self._numbers.get(year, 0)
        while True:
            number += 1
            code = f"RA-{year}-{number:02d}"
            if not Project.objects.filter(code=code).exists():
                self._numbers[year] = number
                return code

    # --- one project's story -----------------------------------------------------------------

    def _story(self, plan: Plan) -> Generator[datetime, None, None]:
        rng = random.Random(f"demo:{plan.spec[0]}")
        actor = self.bureau
        day0 = plan.created
        yield at(day0, 10)
        project, items = self._project_create(plan, rng)
        if plan.target == ProjectStatus.PROPOSED:
            return

        yield at(day0 + timedelta(days=CONSULTING_DAY), 10)
        project_services.project_update(actor=actor, project=project, data={"status": ProjectStatus.CONSULTING})
        demo_consultation.register(actor=actor, project=project, rng=rng)
        if plan.target == ProjectStatus.CONSULTING:
            yield from self._consulting(project, rng)
            return

        yield at(day0 + timedelta(days=INTENTS_DAY), 16)
        demo_consultation.intents(actor=actor, project=project, share=rng.uniform(0.8, 0.95), rng=rng)
        yield at(day0 + timedelta(days=DELIBERATION_DAY), 10)
        deliberation = demo_consultation.deliberation_open(actor=actor, project=project)
        item = None
        if plan.spec[0] in ("飞云花园", "兴业大厦") or rng.random() < 0.3:
            opens = day0 + timedelta(days=DELIBERATION_DAY)
            item = demo_consultation.decision_open(
                actor=actor, project=project, opens=opens, closes=opens + timedelta(days=10)
            )
        for index, offset in enumerate((3, 8, 13)):
            yield at(day0 + timedelta(days=DELIBERATION_DAY + offset), 14)
            demo_consultation.deliberation_stage(actor=actor, deliberation=deliberation, index=index)
            if item is not None and index == 0:
                demo_consultation.votes(actor=actor, item=item, count=80, rng=rng)
        yield at(day0 + timedelta(days=DELIBERATION_DAY + 18), 10)
        demo_consultation.deliberation_filed(actor=actor, deliberation=deliberation)

        yield at(day0 + timedelta(days=APPROVAL_DAY), 10)
        project.refresh_from_db()
        project_services.project_update(actor=actor, project=project, data={"status": ProjectStatus.APPROVED})
        if plan.target == ProjectStatus.TENDERING:
            self.clock.spawn(self.tendering.failed_and_again(project, self.today, rng))
            return
        if plan.target == ProjectStatus.APPROVED:
            self.clock.spawn(self.tendering.in_publicity(project, self.today, rng))
            return

        yield at(day0 + timedelta(days=APPROVAL_DAY + 2), 11)
        self.ledger.income(project, "city", "1")
        works_start = day0 + timedelta(days=WORKS_DAY)
        for lot, (title, lot_items) in enumerate(self._lots(project, items)):
            start = day0 + timedelta(days=TENDER_DAY + 2 * lot)
            self.clock.spawn(
                self.tendering.tender_to_contract(project, lot_items, start, title, works_start=works_start, rng=rng)
            )
        yield at(day0 + timedelta(days=TENDER_DAY + 20), 11)
        self.ledger.income(project, "central", "0.6", 1)
        self.ledger.income(project, "provincial", "0.6", 1)
        yield at(works_start - timedelta(days=4), 11)
        self.ledger.income(project, "resident", "1")
        self.ledger.income(project, "other", "1")
        yield from self._construction(plan, project, items, works_start, rng)

    def _project_create(self, plan: Plan, rng: random.Random) -> tuple[Project, list[WorkItem]]:
        name = plan.spec[0]
        neighbourhood = Neighbourhood.objects.get(name=name, community__street__code=plan.spec[1])
        year = self._plan_year(plan)
        planned_start = plan.created + timedelta(days=WORKS_DAY + rng.randint(-5, 10))
        planned_days = rng.randint(200, 250) if plan.fate != STALLED else 265
        planned_end = planned_start + timedelta(days=planned_days)
        categories = [WorkCategory.BUILDING, WorkCategory.NETWORKS] + rng.sample(
            [WorkCategory.ROADS, WorkCategory.GREENING, WorkCategory.CARE, WorkCategory.GOVERNANCE], rng.randint(2, 4)
        )
        items_spec = []
        for category in categories:
            description, unit, (qmin, qmax), (bmin, bmax) = rng.choice(WORKS[category])
            if name == "兴业大厦" and category == WorkCategory.GOVERNANCE:
                description, unit, qmin, qmax, bmin, bmax = "智慧安防及监控升级", "套", 1, 1, 2_020_000, 2_020_000
            budget = Decimal(rng.randrange(bmin, bmax + 1, 1000))
            items_spec.append((category, description, unit, Decimal(rng.randint(qmin, qmax)), budget))
        total = sum((spec_[4] for spec_ in items_spec), Decimal(0))
        shares = {
            "budget_central": Decimal("0.35"),
            "budget_provincial": Decimal("0.15"),
            "budget_city": Decimal("0.30"),
            "budget_resident": Decimal("0.12"),
        }
        budget = {field: (total * ratio).quantize(Decimal("1")) for field, ratio in shares.items()}
        budget["budget_other"] = total - sum(budget.values())
        project = project_services.project_create(
            actor=self.bureau,
            data={
                "neighbourhood": neighbourhood,
                "code": self._code(year),
                "plan_year": year,
                "name": f"{name}老旧小区改造",
                "summary": (
                    f"{name}建于{neighbourhood.built_year}年，共{neighbourhood.building_count}幢"
                    f"{neighbourhood.household_count}户。改造内容经居民意愿征询确定，"
                    "涵盖建筑本体、管网及配套设施。"
                ),
                "planned_start": planned_start,
                "planned_end": planned_end,
                **budget,
            },
        )
        items = []
        for order, (category, description, unit, quantity, item_budget) in enumerate(items_spec):
            item_start = planned_start + timedelta(days=rng.randint(0, 40))
            items.append(
                project_services.work_item_create(
                    actor=self.bureau,
                    data={
                        "project": project,
                        "category": category,
                        "description": description,
                        "unit": unit,
                        "quantity": quantity,
                        "budget": item_budget,
                        "planned_start": item_start,
                        "planned_end": min(item_start + timedelta(days=rng.randint(90, 180)), planned_end),
                        "sort_order": order,
                    },
                )
            )
        # The work with the latest planned finish ends on the project's planned completion.
        last = max(items, key=lambda item: item.planned_end)
        if last.planned_end != planned_end:
            last = project_services.work_item_update(
                actor=self.bureau, work_item=last, data={"planned_end": planned_end}
            )
        return project, items

    def _lots(self, project: Project, items: list[WorkItem]) -> list[tuple[str, list[WorkItem]]]:
        """Large projects tender the building and pipe works apart from the rest."""
        if len(items) < 5:
            return [(f"{project.name}施工", items)]
        main = [item for item in items if item.category in (WorkCategory.BUILDING, WorkCategory.NETWORKS)]
        rest = [item for item in items if item not in main]
        return [(f"{project.name}建筑本体及管网改造施工", main), (f"{project.name}配套设施改造施工", rest)]

    def _consulting(self, project: Project, rng: random.Random) -> Generator[datetime, None, None]:
        """Mid-way: about half the households agreed so far, one stage held, a vote open today."""
        today = self.today
        yield at(today - timedelta(days=24), 16)
        demo_consultation.deadline_set(actor=self.bureau, project=project, day=today + timedelta(days=14))
        demo_consultation.intents(actor=self.bureau, project=project, share=0.55, rng=rng)
        yield at(today - timedelta(days=20), 10)
        deliberation = demo_consultation.deliberation_open(actor=self.bureau, project=project)
        yield at(today - timedelta(days=16), 14)
        demo_consultation.deliberation_stage(actor=self.bureau, deliberation=deliberation, index=0)
        yield at(today - timedelta(days=3), 9)
        item = demo_consultation.decision_open(
            actor=self.bureau, project=project, opens=today - timedelta(days=3), closes=today + timedelta(days=10)
        )
        if item is not None:
            yield at(today - timedelta(days=1), 17)
            demo_consultation.votes(actor=self.bureau, item=item, count=60, rng=rng)

    def _when(self, day: date, hour: int, minute: int = 0) -> datetime:
        """``hour:minute`` on ``day``, or now if the story has already gone past it."""
        return max(at(day, hour, minute), self.clock.now)

    # --- construction --------------------------------------------------------------------------

    def _schedule(
        self, plan: Plan, items: list[WorkItem], works_start: date, rng: random.Random
    ) -> list[tuple[date, int, WorkItem, Decimal]]:
        """When each work item reached which percentage, as it would have happened."""
        project_start = min(item.planned_start for item in items)
        schedule = []
        for order, item in enumerate(items):
            start = works_start + (item.planned_start - project_start) + timedelta(days=rng.randint(0, 6))
            planned_days = (item.planned_end - item.planned_start).days
            if plan.fate == LATE:
                # Well behind the plan: every work item finishes (if ever) after today.
                behind = self.today + timedelta(days=rng.randint(20, 120))
                days = max(int(planned_days * 1.9) + 60, (behind - start).days)
            else:
                days = max(planned_days + plan.finish_offset + rng.randint(-4, 0), 40)
            finish = start + timedelta(days=days)
            steps = [Decimal(rng.choice([25, 30, 35])), Decimal(rng.choice([60, 65, 70])), Decimal(100)]
            for number, percent in enumerate(steps, start=1):
                day = start + timedelta(days=days * number // len(steps))
                if number < len(steps):
                    day += timedelta(days=rng.randint(-3, 3))
                schedule.append((min(day, finish), order, item, percent))
        schedule.sort(key=lambda entry: (entry[0], entry[1], entry[3]))
        return schedule

    def _construction(
        self, plan: Plan, project: Project, items: list[WorkItem], works_start: date, rng: random.Random
    ) -> Generator[datetime, None, None]:
        actor = self.bureau
        yield at(works_start, 9)
        project.refresh_from_db()
        contracts = list(Contract.objects.filter(project=project).select_related("contractor").order_by("pk"))
        project_services.project_update(
            actor=actor,
            project=project,
            data={
                "status": ProjectStatus.UNDER_CONSTRUCTION,
                "supervising_engineer": rng.choice(SUPERVISORS),
            },
        )
        demo_consultation.implementation_published(actor=actor, project=project)
        yield at(works_start + timedelta(days=10), 11)
        advances = [self.ledger.pay_share(contract, "0.3", "工程预付款") for contract in contracts]
        if plan.spec[0] == "飞云花园" and advances[0] is not None:
            yield at(works_start + timedelta(days=24), 15)
            self.ledger.correct(
                advances[0], Decimal("-2000.00"), "按发票金额更正：预付款多录 2,000 元，已由施工单位退回"
            )
        changed = plan.target in (ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE) and rng.random() < 0.35
        change_day = works_start + timedelta(days=60)
        second_tranche = works_start + timedelta(days=90)
        suspend_day = works_start + timedelta(days=110) if plan.fate == SUSPENDED else None
        stall_day = self.today - timedelta(days=48) if plan.fate == STALLED else None
        progress_paid = completion_paid = False
        last_day = works_start
        steps_done: dict[int, int] = {}
        for day, order, item, percent in self._schedule(plan, items, works_start, rng):
            if changed and day >= change_day:
                changed = False
                yield from self._change_order(contracts[0], change_day, rng)
            if second_tranche and day >= second_tranche:
                yield self._when(second_tranche, 11)
                self.ledger.income(project, "central", "0.4", 2)
                self.ledger.income(project, "provincial", "0.4", 2)
                second_tranche = None
            if suspend_day and day >= suspend_day:
                yield self._when(suspend_day, 10)
                project.refresh_from_db()
                project_services.project_update(actor=actor, project=project, data={"status": ProjectStatus.SUSPENDED})
                return
            if stall_day and day >= stall_day:
                # Nothing confirmed since: the crew left the site; one report waits for the bureau.
                yield self._when(self.today - timedelta(days=2), 9)
                item.refresh_from_db()
                project_services.progress_report_submit(
                    actor=actor, work_item=item, percent=item.progress + 5, note="复工准备中，部分材料进场。"
                )
                return
            last_day = max(last_day, day)
            yield self._when(day, 9)
            item.refresh_from_db()
            photos, phase = [], PhotoPhase.DURING
            if order < PHOTOGRAPHED_ITEMS:  # photos of the works for the first items of each project
                step = steps_done[item.pk] = steps_done.get(item.pk, -1) + 1
                label = f"{project.code} #{order + 1} {step + 1}"
                photos, phase = demo_photos.report_photos(item_pk=item.pk, step=step, last=percent >= 100, label=label)
            report = project_services.progress_report_submit(
                actor=actor,
                work_item=item,
                percent=percent,
                note=_note(percent),
                reported_on=day,
                photos=photos,
                photo_phase=phase,
            )
            yield self._when(day, 17)
            project_services.progress_report_confirm(actor=actor, report=report, note="现场核实无误")
            project.refresh_from_db()
            if not progress_paid and project.progress >= 50:
                progress_paid = True
                for contract in contracts:
                    self.ledger.pay_share(contract, "0.3", "工程进度款")
            if not completion_paid and project.progress >= 100:
                completion_paid = True
                for contract in contracts:
                    self.ledger.pay_share(contract, "0.25", "完工进度款")
        if plan.target not in (ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE):
            return
        accepted = last_day + timedelta(days=rng.randint(12, 25))
        yield self._when(accepted, 10)
        project.refresh_from_db()
        project_services.project_update(
            actor=actor, project=project, data={"status": ProjectStatus.ACCEPTED, "actual_end": last_day}
        )
        if rng.random() < 0.7 or plan.spec[0] == "飞云花园":
            yield at(accepted + timedelta(days=14), 16)
            demo_consultation.ratings(actor=actor, project=project, rng=rng)
        yield self._when(min(accepted + timedelta(days=rng.randint(20, 40)), self.today - timedelta(days=3)), 11)
        for contract in contracts:
            self.ledger.settle(contract)
        if plan.target == ProjectStatus.AFTERCARE:
            yield at(accepted + timedelta(days=90), 10)
            project.refresh_from_db()
            project_services.project_update(actor=actor, project=project, data={"status": ProjectStatus.AFTERCARE})

    def _change_order(self, contract: Contract, day: date, rng: random.Random) -> Generator[datetime, None, None]:
        """A change order within what the tender's ceiling price leaves, approved a week later."""
        room = contract.award.tender.ceiling_price - contract.amount
        amount = min((contract.amount * Decimal("0.03")).quantize(Decimal("1")), room - 1)
        if amount <= 0:
            return
        yield self._when(day, 10)
        change = contract_services.change_order_propose(
            actor=self.bureau,
            contract=contract,
            reason="现场勘察发现部分雨水管老化破损，增加更换工程量",
            amount_change=amount,
        )
        decided = day + timedelta(days=7)
        yield at(decided, 10)
        contract_services.change_order_decide(
            actor=self.bureau,
            change_order=change,
            approve=True,
            decided_on=decided,
            approval_reference=f"瑞住建变〔{decided.year}〕{rng.randint(10, 99)}号",
        )

    # --- the whole demo ------------------------------------------------------------------------

    def _evaluation_story(self, start: date) -> Generator[datetime, None, None]:
        """The monthly street evaluation (月评价) is frozen just after each month ends, as the daily
        timer does in production, so every frozen month holds what was known at its end."""
        day = _first_of_next_month(start)
        while True:
            yield at(day, 0, 20)
            monthly_evaluations_freeze(actor=self.bureau)
            day = _first_of_next_month(day)

    def run(self) -> dict[str, Any]:
        User = get_user_model()
        self._numbers: dict[int, int] = {}
        start = at(date(2022, 12, 1), 9)
        # Wagtail's reference index (which pages and snippets use what) has nothing to learn from
        # the domain records; updating it on each of the demo's ~10,000 saves took a sixth of the time.
        with (
            disable_reference_index_auto_update(),
            DemoClock(today=self.today, start=start) as clock,
            transaction.atomic(),
        ):
            self.clock = clock
            admin_account = self._admin()
            self.places(User.objects.get(username="admin"))
            self.accounts = [admin_account, *self._staff_accounts()]
            self.bureau = User.objects.get(username="bureau")
            bidders, bidder_accounts = demo_bidders(new_password=self._new_password, account_class=Account)
            self.accounts += bidder_accounts
            self.tendering = DemoTendering(staff=self.bureau, bidders=bidders)
            self.ledger = DemoLedger(actor=self.bureau, clock=clock)
            created = 0
            for plan in self.plans():
                if Project.objects.filter(neighbourhood__name=plan.spec[0]).exists():
                    continue
                clock.spawn(self._story(plan))
                created += 1
            building = [row[0] for row in NEIGHBOURHOODS_CURRENT if row[7] == ProjectStatus.UNDER_CONSTRUCTION]
            clock.spawn(
                supervision_story(
                    bureau=self.bureau,
                    names=building,
                    appointed=self.today - timedelta(days=200),
                    new_password=self._new_password,
                    account_class=Account,
                    accounts=self.accounts,
                )
            )
            clock.spawn_all(issue_stories(bureau=self.bureau, today=self.today, names=building))
            clock.spawn(discussion_story(bureau=self.bureau, today=self.today))
            clock.spawn(self._evaluation_story(clock.now.date()))
            clock.run()
        pages = project_pages_sync(actor=self.bureau)
        for path in EXTRA_STEPS:
            step: Callable[..., list[Account]] = import_string(path)
            self.accounts += step(new_password=self._new_password, account_class=Account) or []
        return {"accounts": self.accounts, "projects_created": created, "pages_created": pages}


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _note(percent: Decimal) -> str:
    if percent >= 100:
        return "已完工，经监理及居民代表现场验收。"
    if percent >= 50:
        return "主体施工过半，现场文明施工良好。"
    return "已进场施工，完成材料进场及前期拆除。"
