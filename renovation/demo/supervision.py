"""Demo supervision: two resident supervisors, the construction units (the companies holding the
contracts) of the projects under construction, and site issues in every state of the workflow,
with generated site photos. Written through the services on the demo clock: an issue's deadline
follows from when it was reported and accepted, and the overdue one is overdue because its
deadline passed, not because it was moved."""

from __future__ import annotations

import io
import random
from collections.abc import Generator
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from renovation.discussion.models import Comment
from renovation.discussion.services import comment_post, thread_for_issue, thread_for_project
from renovation.projects.models import Project
from renovation.supervision import services as supervision_services
from renovation.supervision.models import ConstructionUnit, SiteIssue, Supervisor
from renovation.supervision.permissions import builders_of
from renovation.tendering.models import Bidder

from .clock import at
from .places import issue_position

SUPERVISORS = [
    # username, name, street code, appointing body
    ("chen_ayi", "陈阿姨", "anyang", "安阳街道办事处"),
    ("lin_shifu", "林师傅", "yuhai", "玉海街道办事处"),
]

# description, location, category, severity, how far it gets
ISSUES = [
    ("3幢外墙新抹灰面空鼓开裂，面积约2平方米", "3幢2单元东侧外墙", "quality", "serious", "confirmed"),
    ("脚手架底部未设防护网，老人孩子经过有危险", "5幢北侧通道", "safety", "urgent", "rectified"),
    ("施工垃圾堆放在消防通道，影响通行", "小区东门消防通道", "civilised", "general", "rectifying"),
    ("雨污管道开挖后未及时回填，夜间无警示灯", "2幢与4幢之间道路", "safety", "serious", "overdue"),
    ("楼道扶手安装高度不一致", "1幢1单元楼道", "quality", "general", "submitted"),
    ("反映的问题属于物业日常维修，不在改造范围", "6幢车棚", "other", "general", "rejected"),
]


def site_photo(seed: int, label: str, fixed: bool = False) -> SimpleUploadedFile:
    """A plausible site picture: sky, wall, a crack or scaffolding; greener once fixed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1200, 900), (170, 200, 230))
    draw = ImageDraw.Draw(image)
    wall = (200, 196, 186) if fixed else (176, 168, 152)
    draw.rectangle((80, 180, 1120, 900), fill=wall)
    for row in range(6):
        for column in range(8):
            x, y = 130 + column * 120, 230 + row * 110
            draw.rectangle((x, y, x + 60, y + 70), fill=(90, 110, 130))
    if not fixed:
        x, y = rng.randint(300, 800), rng.randint(300, 600)
        points = [(x + step * 18, y + rng.randint(-25, 25) + step * 12) for step in range(14)]
        draw.line(points, fill=(60, 50, 40), width=7)
        draw.rectangle((0, 760, 1200, 900), fill=(140, 120, 90))
    else:
        draw.rectangle((0, 780, 1200, 900), fill=(110, 160, 90))
    draw.rectangle((20, 20, 520, 90), fill=(255, 255, 255))
    draw.text((40, 40), label, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _projects(names: list[str]) -> list[Project]:
    found = Project.objects.select_related("neighbourhood__community__street").filter(neighbourhood__name__in=names)
    return sorted(found, key=lambda project: names.index(project.neighbourhood.name))


def supervision_story(
    *, bureau: Any, names: list[str], appointed: date, new_password: Any, account_class: Any, accounts: list[Any]
) -> Generator[datetime, None, None]:
    """Supervisors appointed and the contractors' site accounts opened on ``appointed`` for the
    projects under construction, then site issues in every state of the workflow over the last
    weeks, each step on its own day (deadlines follow from the report and acceptance times).
    Adds the accounts it created to ``accounts`` (for the seed command to print)."""
    User = get_user_model()
    yield at(appointed, 9)
    projects = _projects(names)
    for username, name, street_code, body in SUPERVISORS:
        assigned = [p for p in projects if p.neighbourhood.community.street.code == street_code]
        if not assigned:
            continue
        password = new_password(User.objects.filter(username=username).exists())
        supervisor = Supervisor.objects.filter(user__username=username).first()
        data = {
            "username": username,
            "full_name": name,
            "password": password,
            "home_neighbourhood": assigned[0].neighbourhood,
            "appointed_by": body,
            "term_start": appointed,
            "term_end": appointed.replace(year=appointed.year + 2, month=12, day=31),
            "projects": assigned,
        }
        if supervisor is None:
            supervision_services.supervisor_appoint(actor=bureau, data=data)
        elif password:
            supervision_services.supervisor_update(actor=bureau, supervisor=supervisor, data=data)
        accounts.append(
            account_class(username, "supervisor", street_code, f"群众监督员 {name}", password, supervisor is None)
        )
    # The companies holding the contracts of the projects under construction are their units.
    companies = Bidder.objects.filter(contracts__project__in=projects).distinct().order_by("name")
    for index, company in enumerate(companies):
        username = f"builder{index + 1}"
        unit = ConstructionUnit.objects.filter(name=company.name).first()
        password = new_password(User.objects.filter(username=username).exists())
        data = {
            "name": company.name,
            "company": company,
            "new_member_username": username,
            "new_member_full_name": f"{company.name}项目部",
            "new_member_password": password,
        }
        if unit is None:
            supervision_services.construction_unit_create(actor=bureau, data=data)
        elif password:
            supervision_services.construction_unit_update(actor=bureau, unit=unit, data=data)
        accounts.append(account_class(username, "construction unit", None, company.name, password, unit is None))


# How many days before today each issue was reported, and the days between its later steps.
ISSUE_DAYS = [40, 34, 4, 12, 2, 28]


def issue_stories(*, bureau: Any, today: date, names: list[str]) -> list[Generator[datetime, None, None]]:
    """One story per issue, so their steps interleave in time as real ones do."""
    return [_issue(bureau, today, names, number, spec) for number, spec in enumerate(ISSUES)]


def _issue(bureau: Any, today: date, names: list[str], number: int, spec: tuple) -> Generator[datetime, None, None]:
    description, location, category, severity, stage = spec
    yield at(today - timedelta(days=ISSUE_DAYS[number]), 8)
    projects = _projects(names)
    if not projects or SiteIssue.objects.filter(project__in=projects, description=description).exists():
        return
    project = projects[number % len(projects)]
    supervisor = project.supervisors.select_related("user").first()
    builder = builders_of(project.pk).filter(construction_units__isnull=False).order_by("pk").first()
    if supervisor is None or builder is None:
        return
    yield _later(hours=1)
    estate = project.neighbourhood
    latitude, longitude = (None, None)
    if estate.latitude is not None:
        latitude, longitude = issue_position(estate.latitude, estate.longitude, number)
    issue = supervision_services.site_issue_report(
        actor=supervisor.user,
        project=project,
        category=category,
        severity=severity,
        description=description,
        location=location,
        photos=[site_photo(number * 10 + n, f"#{number + 1} {location}") for n in range(2)],
        latitude=latitude,
        longitude=longitude,
    )
    if stage == "submitted":
        return
    yield _later(hours=3)
    if stage == "rejected":
        supervision_services.site_issue_reject(actor=bureau, issue=issue, reason=description)
        return
    supervision_services.site_issue_accept(actor=bureau, issue=issue, note="请按期整改并上传整改照片。")
    if stage == "overdue":
        return  # the construction unit never answered: the deadline passes on the demo clock
    yield _later(hours=5)
    supervision_services.site_issue_start_rectifying(actor=builder, issue=issue, note="已安排班组处理。")
    if stage == "rectifying":
        return
    yield _later(hours=20)
    supervision_services.site_issue_rectify(
        actor=builder,
        issue=issue,
        response="已按规范整改完毕，请监督员复核。",
        photos=[site_photo(number * 10 + 5, f"#{number + 1} 整改后", fixed=True)],
    )
    if stage == "confirmed":
        yield _later(hours=22)
        supervision_services.site_issue_confirm(actor=supervisor.user, issue=issue, note="现场查看，已修好。")


def _later(*, hours: int) -> datetime:
    return timezone.now() + timedelta(hours=hours)


def discussion_story(*, bureau: Any, today: date) -> Generator[datetime, None, None]:
    """A few comments on a project under construction and on one issue's working thread."""
    yield at(today - timedelta(days=6), 19, 20)
    if Comment.objects.exists():
        return
    supervisor = Supervisor.objects.select_related("user").order_by("pk").first()
    project = supervisor.projects.order_by("code").first() if supervisor else None
    if project is None:
        return
    thread = thread_for_project(project)
    comment_post(actor=supervisor.user, thread=thread, text="外墙脚手架什么时候拆？楼下老人进出不太方便。")
    yield at(today - timedelta(days=5), 9, 10)
    comment_post(actor=bureau, thread=thread, text="预计下月中旬拆除，届时会在小区公告栏和这里通知大家。")
    issue = SiteIssue.objects.filter(project=project, status="rectifying").order_by("pk").first()
    builder = builders_of(project.pk).filter(construction_units__isnull=False).order_by("pk").first()
    if issue is not None and builder is not None:
        yield at(today - timedelta(days=4), 18, 5)
        comment_post(actor=builder, thread=thread_for_issue(issue), text="已安排明早八点处理，处理完上传照片。")
