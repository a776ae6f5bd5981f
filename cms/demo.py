"""Demo notices and documents (``seed_demo`` runs ``seed_notices`` as one of its extra steps).

A street office's notice about works on one estate with a real PDF attached, a city-wide notice
from the bureau, and the estate's project page with its 改造方案 and 设计图 (and its accepted
neighbour's 验收报告). Written through the services, idempotent: a notice that exists is left alone.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from renovation.printing import pdf_font, wrap
from renovation.projects.models import ProjectStatus

from .documents import DocumentKind
from .models import NoticePage, ProjectPage
from .services import document_upload, notice_publish, project_document_add

DEMO_SLUG = "demo-works-notice"


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with a title and paragraphs, in the built-in Chinese font."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    font = pdf_font()
    width, height = A4
    y = height - 72
    pdf.setFont(font, 18)
    pdf.drawString(56, y, title)
    y -= 36
    pdf.setFont(font, 12)
    for paragraph in lines:
        for line in wrap(paragraph, font, 12, width - 112):
            pdf.drawString(56, y, line)
            y -= 18
        y -= 8
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _upload(actor: Any, title: str, filename: str, lines: list[str]) -> Any:
    return document_upload(actor=actor, title=title, file=ContentFile(pdf_document(title, lines), name=filename))


def seed_notices(*, new_password: Any, account_class: Any) -> list[Any]:
    if NoticePage.objects.filter(slug=DEMO_SLUG).exists():
        return []
    User = get_user_model()
    bureau = User.objects.get(username="bureau")
    page = (
        ProjectPage.objects.filter(project__status=ProjectStatus.UNDER_CONSTRUCTION)
        .select_related("project__neighbourhood__community__street")
        .order_by("project__code")
        .first()
    )
    if page is None:
        return []
    project = page.project
    estate = project.neighbourhood.name
    street = project.neighbourhood.community.street
    street_staff = User.objects.filter(staff_profile__street=street).order_by("username").first() or bureau
    today = timezone.localdate()

    plan = _upload(
        bureau,
        f"{estate}改造方案（公示稿）",
        "renovation-plan.pdf",
        [
            f"{project.name}",
            "改造内容：外立面整治、屋面防水、雨污分流、停车位与充电桩、绿化提升。",
            "以上方案经业主代表大会审定。",
        ],
    )
    drawings = _upload(
        bureau, f"{estate}改造设计图（总平面）", "site-plan.pdf", ["总平面图", "比例 1:500", "图中尺寸以米计。"]
    )
    project_document_add(actor=bureau, project=project, document=plan, kind=DocumentKind.PLAN)
    project_document_add(actor=bureau, project=project, document=drawings, kind=DocumentKind.DESIGN)

    schedule = _upload(
        street_staff,
        f"{estate}雨污分流施工停水安排表",
        "water-schedule.pdf",
        ["1幢至6幢：周二 8:00–18:00 停水", "7幢至12幢：周四 8:00–18:00 停水", "如有疑问请联系社区居委会。"],
    )
    notice_publish(
        actor=street_staff,
        title=f"关于{estate}雨污分流施工期间临时停水的通知",
        slug=DEMO_SLUG,
        project=project,
        notice_date=today,
        paragraphs=[
            f"{estate}各位居民：",
            "雨污分流管道施工期间，小区将分区临时停水，具体安排见附件。请提前储水，施工期间注意安全。",
            f"{street.name}办事处",
        ],
        attachments=[schedule],
    )
    notice_publish(
        actor=bureau,
        title=f"{today.year}年城镇老旧小区改造计划公示",
        slug="demo-plan-notice",
        notice_date=today,
        paragraphs=[
            f"根据全市城镇老旧小区改造工作安排，现将{today.year}年改造计划予以公示，公示期为7天。",
            "对计划有意见的，请在公示期内向住房和城乡建设局反映。",
        ],
    )
    accepted = (
        ProjectPage.objects.filter(project__status=ProjectStatus.ACCEPTED)
        .select_related("project__neighbourhood")
        .order_by("project__code")
        .first()
    )
    if accepted is not None:
        name = accepted.project.neighbourhood.name
        report = _upload(
            bureau,
            f"{name}竣工验收报告",
            "acceptance-report.pdf",
            ["验收结论：合格。", "建设、设计、施工、监理单位均已签字。"],
        )
        project_document_add(actor=bureau, project=accepted.project, document=report, kind=DocumentKind.ACCEPTANCE)
    return []
