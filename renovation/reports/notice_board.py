"""The site notice (公示牌) of a project: the board at the estate's gate that says what is being
done, by whom, for how much and until when, with the hotline and a QR code to the project page.

Every fact comes from the selectors the project page reads (contractors from the signed contracts,
dates and lateness from ``projects.selectors``), so the board and the page cannot disagree. A print
view (A4 or A3, ``notice_board.html``) and a PDF of the same board; a street's boards in one PDF.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from renovation.figures import format_percent, format_yuan, yuan_in_capitals
from renovation.printing import draw_qr, pdf_font, wrap
from renovation.projects import selectors as project_selectors
from renovation.projects.lateness import Lateness
from renovation.projects.models import Project, ProjectStatus, WorkItem
from renovation.tendering import selectors as tendering_selectors

PAGE_SIZES = {"a4": A4, "a3": A3}

# Projects that have a board at the gate: from approval until the works are accepted (and while suspended).
ON_SITE = (
    ProjectStatus.APPROVED,
    ProjectStatus.TENDERING,
    ProjectStatus.UNDER_CONSTRUCTION,
    ProjectStatus.ACCEPTED,
    ProjectStatus.SUSPENDED,
)


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class NoticeBoard:
    title: str
    facts: tuple[Fact, ...]
    works: tuple[str, ...]
    page_url: str
    issuer: str
    hotline: str
    printed_on: date


def _dates(project: Project, lateness: Lateness) -> str:
    planned = _("%(start)s to %(end)s") % {
        "start": project.planned_start or "—",
        "end": project.planned_end or "—",
    }
    if lateness.overdue_days:
        planned += _(" (overdue by %(days)s days)") % {"days": lateness.overdue_days}
    return planned


def notice_board(project: Project, page_url: str, today: date) -> NoticeBoard:
    """The board of one project (``project`` as ``project_selectors.project_detail`` loads it)."""
    return _board(
        project,
        page_url,
        today,
        lateness=project_selectors.project_lateness(project, today).project,
        groups=project_selectors.work_items_by_category(project),
        contractors=tendering_selectors.project_contractors(project),
    )


def _board(
    project: Project,
    page_url: str,
    today: date,
    *,
    lateness: Lateness,
    groups: list[project_selectors.CategoryGroup],
    contractors: list[tendering_selectors.ContractorWorks],
) -> NoticeBoard:
    neighbourhood = project.neighbourhood
    budget: Decimal = project.budget_total
    facts = [
        Fact(
            _("Neighbourhood"),
            f"{neighbourhood.name}（{neighbourhood.address}）" if neighbourhood.address else neighbourhood.name,
        ),
        Fact(_("Street office"), neighbourhood.community.street.name),
        Fact(_("Total budget"), f"{format_yuan(budget)}（{yuan_in_capitals(budget)}）"),
        Fact(
            _("Construction unit"),
            "；".join(f"{item.company}（{'、'.join(item.works)}）" for item in contractors) or _("Not yet contracted"),
        ),
        Fact(_("Supervising engineer"), project.supervising_engineer or "—"),
        Fact(_("Planned dates"), _dates(project, lateness)),
        Fact(
            _("Status"),
            _("%(status)s, %(progress)s done")
            % {"status": project.get_status_display(), "progress": format_percent(project.progress)},
        ),
    ]
    works = tuple(f"{group.label}：{'、'.join(item.description for item in group.items)}" for group in groups)
    return NoticeBoard(
        title=project.name,
        facts=tuple(facts),
        works=works,
        page_url=page_url,
        issuer=settings.BUREAU_NAME,
        hotline=settings.SUPERVISION_HOTLINE,
        printed_on=today,
    )


def street_boards(street_code: str, page_url: Callable[[Project], str], today: date) -> list[NoticeBoard]:
    """Every board of a street in a fixed number of queries, however many projects it has."""
    projects = list(
        project_selectors.project_filter(Project.objects.all(), street=street_code)
        .filter(status__in=ON_SITE)
        .select_related(*project_selectors.PROJECT_RELATED)
        .order_by("neighbourhood__name", "pk")
    )
    items: dict[int, list[WorkItem]] = defaultdict(list)
    for item in WorkItem.objects.filter(project__in=projects):
        items[item.project_id].append(item)
    lateness = project_selectors.lateness_for_projects(projects, today, [i for group in items.values() for i in group])
    contractors = tendering_selectors.contractors_by_project([project.pk for project in projects])
    return [
        _board(
            project,
            page_url(project),
            today,
            lateness=lateness[project.pk].project,
            groups=project_selectors.work_items_by_category(project, items[project.pk]),
            contractors=contractors.get(project.pk, []),
        )
        for project in projects
    ]


def boards_pdf(boards: Sequence[NoticeBoard], size: str = "a4") -> bytes:
    """One page per board, in the print view's order and words."""
    font = pdf_font()
    width, height = PAGE_SIZES[size]
    scale = width / A4[0]  # A3 is A4 scaled by √2: the same layout, larger type for reading at a distance
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(_("Site notices"))
    margin = 18 * mm * scale
    text_width = width - 2 * margin
    for board in boards:
        y = height - margin - 12 * mm * scale
        pdf.setFont(font, 13 * scale)
        pdf.drawString(margin, y, _("Notice of renovation works"))
        y -= 14 * mm * scale
        for line in wrap(board.title, font, 26 * scale, text_width):
            pdf.setFont(font, 26 * scale)
            pdf.drawString(margin, y, line)
            y -= 12 * mm * scale
        y -= 2 * mm * scale
        for fact in board.facts:
            pdf.setFont(font, 11 * scale)
            pdf.drawString(margin, y, fact.label)
            y -= 6 * mm * scale
            for line in wrap(fact.value, font, 14 * scale, text_width):
                pdf.setFont(font, 14 * scale)
                pdf.drawString(margin, y, line)
                y -= 7 * mm * scale
            y -= 2 * mm * scale
        pdf.setFont(font, 11 * scale)
        pdf.drawString(margin, y, _("Works"))
        y -= 6 * mm * scale
        for work in board.works:
            for line in wrap(work, font, 12 * scale, text_width):
                pdf.setFont(font, 12 * scale)
                pdf.drawString(margin, y, line)
                y -= 6 * mm * scale
        qr = 42 * mm * scale
        draw_qr(pdf, board.page_url, width - margin - qr, margin, qr)
        pdf.setFont(font, 14 * scale)
        pdf.drawString(
            margin, margin + 26 * mm * scale, _("Supervision hotline: %(hotline)s") % {"hotline": board.hotline}
        )
        pdf.setFont(font, 11 * scale)
        pdf.drawString(
            margin, margin + 18 * mm * scale, _("Scan for progress, money, tenders and to report a problem.")
        )
        pdf.drawString(margin, margin + 10 * mm * scale, unquote(board.page_url))
        pdf.drawString(margin, margin, f"{board.issuer} · {board.printed_on:%Y-%m-%d}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
