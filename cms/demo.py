"""Demo data for `make run`: Ruian's three streets, the 2023 plan (29 projects, 25 completed) and
a current-year plan in every stage. Everything is written through the domain services, so the
demo exercises the same rules and history as real use. Deterministic and idempotent."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cms import demo_consultation
from renovation.accounts.models import StaffRole
from renovation.accounts.services import staff_account_ensure
from renovation.places import services as place_services
from renovation.places.models import Community, ManagementType, Neighbourhood, Street
from renovation.projects import services as project_services
from renovation.projects.models import ProgressReport, Project, ProjectStatus, WorkCategory, WorkItem
from renovation.residents.demo import seed_residents

from .demo_finance import seed_finance
from .demo_supervision import seed_discussion, seed_supervision
from .demo_tendering import DemoTendering, demo_bidders
from .services import project_pages_sync

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
NEIGHBOURHOODS_CURRENT = [
    ("虹桥新村二期", "anyang", "虹桥社区", 1993, 8, 266, ManagementType.COMMUNITY, ProjectStatus.UNDER_CONSTRUCTION),
    ("万松公寓", "anyang", "万松社区", 1997, 3, 120, ManagementType.SELF_MANAGED, ProjectStatus.PROPOSED),
    ("西山新村", "yuhai", "西山社区", 1989, 9, 301, ManagementType.COMMUNITY, ProjectStatus.UNDER_CONSTRUCTION),
    ("隆山小区", "yuhai", "隆山社区", 1992, 5, 170, ManagementType.SELF_MANAGED, ProjectStatus.CONSULTING),
    ("玉海大厦", "yuhai", "玉海社区", 1999, 1, 84, ManagementType.PROPERTY_COMPANY, ProjectStatus.TENDERING),
    ("锦湖花园", "jinhu", "锦湖社区", 1998, 7, 244, ManagementType.PROPERTY_COMPANY, ProjectStatus.APPROVED),
    ("东山新村", "jinhu", "东山社区", 1986, 10, 352, ManagementType.COMMUNITY, ProjectStatus.ACCEPTED),
    ("汀田小区", "jinhu", "汀田社区", 1995, 4, 140, ManagementType.SELF_MANAGED, ProjectStatus.PROPOSED),
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

CONSTRUCTION_UNITS = ["瑞安市建筑工程有限公司", "温州宏业建设有限公司", "浙江安居市政园林有限公司", "瑞安市城建集团"]
SUPERVISORS = ["瑞安市建设监理有限公司", "温州正信工程管理有限公司", "浙江求实项目管理有限公司"]

PATH_TO = {
    ProjectStatus.PROPOSED: [],
    ProjectStatus.CONSULTING: [ProjectStatus.CONSULTING],
    ProjectStatus.APPROVED: [ProjectStatus.CONSULTING, ProjectStatus.APPROVED],
    ProjectStatus.TENDERING: [ProjectStatus.CONSULTING, ProjectStatus.APPROVED, ProjectStatus.TENDERING],
    ProjectStatus.UNDER_CONSTRUCTION: [
        ProjectStatus.CONSULTING,
        ProjectStatus.APPROVED,
        ProjectStatus.TENDERING,
        ProjectStatus.UNDER_CONSTRUCTION,
    ],
    ProjectStatus.ACCEPTED: [
        ProjectStatus.CONSULTING,
        ProjectStatus.APPROVED,
        ProjectStatus.TENDERING,
        ProjectStatus.UNDER_CONSTRUCTION,
        ProjectStatus.ACCEPTED,
    ],
    ProjectStatus.AFTERCARE: [
        ProjectStatus.CONSULTING,
        ProjectStatus.APPROVED,
        ProjectStatus.TENDERING,
        ProjectStatus.UNDER_CONSTRUCTION,
        ProjectStatus.ACCEPTED,
        ProjectStatus.AFTERCARE,
    ],
}


@dataclass
class Account:
    username: str
    role: str
    street_code: str | None
    display_name: str
    password: str | None  # None when the account already existed and keeps its password
    created: bool


class HistoryClock:
    """Backdates the history rows a service call just wrote, so the demo's change log spreads
    over the months the works took instead of the seconds the seed took."""

    MODELS = [
        ("projects", "HistoricalProject"),
        ("projects", "HistoricalWorkItem"),
        ("projects", "HistoricalProgressReport"),
    ]

    def __init__(self) -> None:
        self.models = [apps.get_model(app, name) for app, name in self.MODELS]
        self.marks = self._marks()

    def _marks(self) -> dict[Any, int]:
        return {
            model: (model.objects.order_by("-history_id").values_list("history_id", flat=True).first() or 0)
            for model in self.models
        }

    def stamp(self, when: date) -> None:
        moment = timezone.make_aware(datetime.combine(when, time(10, 0)))
        for model in self.models:
            model.objects.filter(history_id__gt=self.marks[model]).update(history_date=moment)
        self.marks = self._marks()


class DemoSeeder:
    def __init__(self, *, today: date, reset_passwords: bool = False, stdout: Any = None) -> None:
        self.today = today
        self.reset_passwords = reset_passwords
        self.rng = random.Random(2023)
        self.stdout = stdout
        self._last_report_day: dict[int, date] = {}

    # --- places and people -------------------------------------------------------------------

    def _new_password(self, exists: bool) -> str | None:
        return secrets.token_urlsafe(9) if (not exists or self.reset_passwords) else None

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
        for spec in NEIGHBOURHOODS_2023 + [row[:7] for row in NEIGHBOURHOODS_CURRENT]:
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
            },
        )

    # --- projects ----------------------------------------------------------------------------

    def projects(self, actor: Any) -> int:
        created = 0
        plan = [(2023, spec, None) for spec in NEIGHBOURHOODS_2023]
        plan += [(self.today.year, spec[:7], spec[7]) for spec in NEIGHBOURHOODS_CURRENT]
        for number, (year, spec, target) in enumerate(plan, start=1):
            code = f"RA-{year}-{number if year == 2023 else number - len(NEIGHBOURHOODS_2023):02d}"
            if Project.objects.filter(code=code).exists():
                continue
            if target is None:
                # 2023 plan: 25 of 29 completed (accepted or in aftercare), 4 still building.
                index = number - 1
                target = (
                    ProjectStatus.UNDER_CONSTRUCTION
                    if index in (3, 11, 19, 26)
                    else (ProjectStatus.AFTERCARE if index % 3 == 0 else ProjectStatus.ACCEPTED)
                )
            with transaction.atomic():
                self._project(actor, code, year, spec, target)
            created += 1
        return created

    def _project(self, actor: Any, code: str, year: int, spec: tuple, target: str) -> Project:
        rng = self.rng
        neighbourhood = Neighbourhood.objects.get(name=spec[0], community__street__code=spec[1])
        clock = HistoryClock()
        year_start = date(year, 1, 1)
        planned_start = year_start + timedelta(days=rng.randint(60, 120))
        planned_end = planned_start + timedelta(days=rng.randint(180, 260))
        categories = [WorkCategory.BUILDING, WorkCategory.NETWORKS] + rng.sample(
            [WorkCategory.ROADS, WorkCategory.GREENING, WorkCategory.CARE, WorkCategory.GOVERNANCE], rng.randint(2, 4)
        )
        items_spec = []
        for category in categories:
            description, unit, (qmin, qmax), (bmin, bmax) = rng.choice(WORKS[category])
            if neighbourhood.name == "兴业大厦" and category == WorkCategory.GOVERNANCE:
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
        budget = {name: (total * share).quantize(Decimal("1")) for name, share in shares.items()}
        budget["budget_other"] = total - sum(budget.values())
        started = target in (ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE)
        project = project_services.project_create(
            actor=actor,
            data={
                "neighbourhood": neighbourhood,
                "code": code,
                "plan_year": year,
                "name": f"{neighbourhood.name}老旧小区改造",
                "summary": (
                    f"{neighbourhood.name}建于{neighbourhood.built_year}年，共{neighbourhood.building_count}幢"
                    f"{neighbourhood.household_count}户。改造内容经居民意愿征询确定，"
                    "涵盖建筑本体、管网及配套设施。"
                ),
                "planned_start": planned_start,
                "planned_end": planned_end,
                "construction_unit": rng.choice(CONSTRUCTION_UNITS) if started else "",
                "supervising_engineer": rng.choice(SUPERVISORS) if started else "",
                **budget,
            },
        )
        clock.stamp(min(year_start + timedelta(days=rng.randint(5, 30)), self.today))
        items = []
        for order, (category, description, unit, quantity, item_budget) in enumerate(items_spec):
            item_start = planned_start + timedelta(days=rng.randint(0, 40))
            items.append(
                project_services.work_item_create(
                    actor=actor,
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
        clock.stamp(min(year_start + timedelta(days=rng.randint(31, 50)), self.today))

        # Walk the lifecycle one allowed step at a time, each step on its own date.
        step_day = year_start + timedelta(days=50)
        for status in PATH_TO[target]:
            if status == ProjectStatus.UNDER_CONSTRUCTION:
                step_day = max(step_day + timedelta(days=5), planned_start + timedelta(days=rng.randint(0, 15)))
                step_day = min(step_day, self.today)
                # Must-tender works go through the street channel before construction may start.
                self.tendering.complete(project, before=step_day)
                project_services.project_update(actor=actor, project=project, data={"status": status})
                clock.stamp(step_day)
                self._build(actor, project, items, clock, start=step_day, finish=target != status)
                step_day = max(step_day, self._last_report_day.get(project.pk, step_day))
            elif status in (ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE):
                step_day = step_day + timedelta(days=rng.randint(10, 30))
            else:
                step_day = step_day + timedelta(days=rng.randint(7, 20))
            if status == ProjectStatus.UNDER_CONSTRUCTION:
                continue
            step_day = min(step_day, self.today)
            project.refresh_from_db()
            data: dict[str, Any] = {"status": status}
            if status == ProjectStatus.APPROVED:
                demo_consultation.before_approval(actor=actor, project=project, day=step_day, rng=rng)
            if status == ProjectStatus.ACCEPTED:
                data["actual_end"] = step_day
            project_services.project_update(actor=actor, project=project, data=data)
            clock.stamp(step_day)
        if target == ProjectStatus.UNDER_CONSTRUCTION:
            self._build(actor, project, items, clock, start=None, finish=False, pending=True)
        project.refresh_from_db()
        demo_consultation.after_walk(
            actor=actor, project=project, target=target, day=step_day, today=self.today, rng=rng
        )
        return project

    def _build(
        self,
        actor: Any,
        project: Project,
        items: list[WorkItem],
        clock: HistoryClock,
        *,
        start: date | None,
        finish: bool,
        pending: bool = False,
    ) -> None:
        """Progress reports over the months of construction, each confirmed by the bureau."""
        rng = self.rng
        if start is None:
            # Still under construction: leave one fresh report per item awaiting confirmation.
            for item in items[:2]:
                item.refresh_from_db()
                if item.progress < 100:
                    report_day = min(self._last_report_day.get(project.pk, self.today) + timedelta(days=7), self.today)
                    report = project_services.progress_report_submit(
                        actor=actor,
                        work_item=item,
                        percent=min(item.progress + Decimal(15), Decimal(100)),
                        note="本周完成主体施工，待住建局核实。",
                        reported_on=report_day,
                    )
                    ProgressReport.objects.filter(pk=report.pk).update(created_at=_at(report_day, 17))
                    clock.stamp(report_day)
            return
        # Plan every report first, then file them in date order, as they would have come in:
        # the history then reads forwards in time.
        schedule: list[tuple[date, int, WorkItem, Decimal]] = []
        for order, item in enumerate(items):
            steps = (
                [Decimal(25), Decimal(60), Decimal(100)]
                if finish
                else [Decimal(rng.choice([20, 30, 40])), Decimal(rng.choice([50, 60, 70]))]
            )
            day = max(start, item.planned_start or start)
            for percent in steps:
                day = min(day + timedelta(days=rng.randint(20, 45)), self.today)
                schedule.append((day, order, item, percent))
        schedule.sort(key=lambda entry: (entry[0], entry[1], entry[3]))
        last_day = start
        for day, _order, item, percent in schedule:
            report = project_services.progress_report_submit(
                actor=actor, work_item=item, percent=percent, note=_note(percent), reported_on=day
            )
            project_services.progress_report_confirm(actor=actor, report=report, note="现场核实无误")
            # Demo-only backdating of the timestamps the services set to "now".
            ProgressReport.objects.filter(pk=report.pk).update(
                created_at=_at(day, 9), reviewed_at=_at(day + timedelta(days=1) if day < self.today else day, 15)
            )
            clock.stamp(day)
            last_day = max(last_day, day)
        self._last_report_day[project.pk] = last_day

    def run(self) -> dict[str, Any]:
        User = get_user_model()
        with transaction.atomic():
            admin_account = self._admin()
            self.places(User.objects.get(username="admin"))
            accounts = [admin_account, *self._staff_accounts()]
        bureau = User.objects.get(username="bureau")
        bidders, bidder_accounts = demo_bidders(new_password=self._new_password, account_class=Account)
        accounts += bidder_accounts
        self.tendering = DemoTendering(staff=bureau, bidders=bidders, rng=random.Random(2024))
        created = self.projects(bureau)
        self.tendering.current(
            list(
                Project.objects.filter(
                    plan_year=self.today.year, status__in=[ProjectStatus.APPROVED, ProjectStatus.TENDERING]
                ).order_by("code")
            ),
            self.today,
        )
        pages = project_pages_sync(actor=bureau)
        accounts += seed_supervision(
            bureau=bureau, today=self.today, new_password=self._new_password, account_class=Account
        )
        seed_discussion(bureau=bureau)
        seed_finance(bureau=bureau, today=self.today)
        accounts += seed_residents(new_password=self._new_password, account_class=Account)
        return {"accounts": accounts, "projects_created": created, "pages_created": pages}


def _note(percent: Decimal) -> str:
    if percent >= 100:
        return "已完工，经监理及居民代表现场验收。"
    if percent >= 50:
        return "主体施工过半，现场文明施工良好。"
    return "已进场施工，完成材料进场及前期拆除。"


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
