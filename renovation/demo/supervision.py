"""Demo supervision: two resident supervisors, the construction units of the projects under
construction, and site issues in every state of the workflow, with generated site photos.
Written through the services, like the rest of the demo."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from renovation.discussion.models import Comment
from renovation.discussion.services import comment_post, thread_for_issue, thread_for_project
from renovation.projects.models import Project, ProjectStatus
from renovation.supervision import services as supervision_services
from renovation.supervision.models import ConstructionUnit, SiteIssue, Supervisor

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


def seed_supervision(*, bureau: Any, today: Any, new_password: Any, account_class: Any) -> list[Any]:
    """Returns the demo accounts it created (for the seed command to print)."""
    User = get_user_model()
    accounts = []
    building = list(
        Project.objects.filter(status=ProjectStatus.UNDER_CONSTRUCTION, plan_year=today.year)
        .select_related("neighbourhood__community__street")
        .order_by("code")
    )
    if not building:
        return accounts
    for username, name, street_code, body in SUPERVISORS:
        projects = [p for p in building if p.neighbourhood.community.street.code == street_code]
        if not projects:
            continue
        password = new_password(User.objects.filter(username=username).exists())
        supervisor = Supervisor.objects.filter(user__username=username).first()
        data = {
            "username": username,
            "full_name": name,
            "password": password,
            "home_neighbourhood": projects[0].neighbourhood,
            "appointed_by": body,
            "term_start": today.replace(month=1, day=1),
            "term_end": today.replace(year=today.year + 2, month=12, day=31),
            "projects": projects,
        }
        if supervisor is None:
            supervision_services.supervisor_appoint(actor=bureau, data=data)
        elif password:
            supervision_services.supervisor_update(actor=bureau, supervisor=supervisor, data=data)
        accounts.append(
            account_class(username, "supervisor", street_code, f"群众监督员 {name}", password, supervisor is None)
        )
    for index, unit_name in enumerate(sorted({p.construction_unit for p in building if p.construction_unit})):
        username = f"builder{index + 1}"
        unit = ConstructionUnit.objects.filter(name=unit_name).first()
        password = new_password(User.objects.filter(username=username).exists())
        data = {
            "name": unit_name,
            "projects": [p for p in building if p.construction_unit == unit_name],
            "new_member_username": username,
            "new_member_full_name": f"{unit_name}项目部",
            "new_member_password": password,
        }
        if unit is None:
            supervision_services.construction_unit_create(actor=bureau, data=data)
        elif password:
            supervision_services.construction_unit_update(actor=bureau, unit=unit, data=data)
        accounts.append(account_class(username, "construction unit", None, unit_name, password, unit is None))
    if not SiteIssue.objects.exists():
        _issues(bureau, building)
    return accounts


def _issues(bureau: Any, building: list[Project]) -> None:
    for number, (description, location, category, severity, stage) in enumerate(ISSUES):
        project = building[number % len(building)]
        supervisor = project.supervisors.select_related("user").first()
        builder = get_user_model().objects.filter(construction_units__projects=project).first()
        if supervisor is None or builder is None:
            continue
        with transaction.atomic():
            issue = supervision_services.site_issue_report(
                actor=supervisor.user,
                project=project,
                category=category,
                severity=severity,
                description=description,
                location=location,
                photos=[site_photo(number * 10 + n, f"#{number + 1} {location}") for n in range(2)],
            )
            if stage == "submitted":
                continue
            if stage == "rejected":
                supervision_services.site_issue_reject(actor=bureau, issue=issue, reason=description)
                continue
            supervision_services.site_issue_accept(actor=bureau, issue=issue, note="请按期整改并上传整改照片。")
            if stage == "overdue":
                # Demo only: move the deadline into the past so the overdue view has something to show.
                SiteIssue.objects.filter(pk=issue.pk).update(deadline=timezone.now() - timedelta(hours=6))
                continue
            supervision_services.site_issue_start_rectifying(actor=builder, issue=issue, note="已安排班组处理。")
            if stage == "rectifying":
                continue
            supervision_services.site_issue_rectify(
                actor=builder,
                issue=issue,
                response="已按规范整改完毕，请监督员复核。",
                photos=[site_photo(number * 10 + 5, f"#{number + 1} 整改后", fixed=True)],
            )
            if stage == "confirmed":
                supervision_services.site_issue_confirm(actor=supervisor.user, issue=issue, note="现场查看，已修好。")


def seed_discussion(*, bureau: Any) -> None:
    """A few comments on the project under construction and on one issue's working thread."""
    if Comment.objects.exists():
        return
    supervisor = Supervisor.objects.select_related("user").order_by("pk").first()
    if supervisor is None:
        return
    project = supervisor.projects.order_by("code").first()
    if project is None:
        return
    thread = thread_for_project(project)
    comment_post(actor=supervisor.user, thread=thread, text="外墙脚手架什么时候拆？楼下老人进出不太方便。")
    comment_post(actor=bureau, thread=thread, text="预计下月中旬拆除，届时会在小区公告栏和这里通知大家。")
    issue = SiteIssue.objects.filter(project=project).order_by("pk").first()
    builder = get_user_model().objects.filter(construction_units__projects=project).first()
    if issue is not None and builder is not None:
        comment_post(actor=builder, thread=thread_for_issue(issue), text="已安排明早八点处理，处理完上传照片。")
