"""Site notices (公示牌): a project's board for anyone (print view and PDF, A4 or A3), and a street's
boards in one PDF for its staff to print in a batch."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from renovation.accounts.permissions import can_manage_street
from renovation.places.models import Street
from renovation.printing import qr_svg
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project

from . import notice_board
from .views import staff_only


def _size(request: HttpRequest) -> str:
    size = request.GET.get("size", "a4").lower()
    if size not in notice_board.PAGE_SIZES:
        raise Http404(_("Paper size must be A4 or A3."))
    return size


def _page_url(request: HttpRequest, project: Project) -> str:
    # The CMS gives each project the public page /projects/<address>/.
    return request.build_absolute_uri(f"/projects/{project.slug}/")


def _qr(url: str) -> str:
    # SVG that segno draws from a URL we built: markup we made, not text we were given.
    return mark_safe(qr_svg(url, scale=5))


def _project(slug: str) -> Project:
    try:
        return project_selectors.project_detail(slug=slug)
    except Project.DoesNotExist:
        raise Http404(_("No project at this address.")) from None


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def project_notice(request: HttpRequest, slug: str) -> TemplateResponse:
    project = _project(slug)
    size = _size(request)
    board = notice_board.notice_board(project, _page_url(request, project), timezone.localdate())
    return TemplateResponse(
        request,
        "reports/notice_board.html",
        # The QR code is SVG that segno draws from our own URL: markup we made, not text we were given.
        {
            "sheets": [{"board": board, "qr": mark_safe(qr_svg(board.page_url, scale=5))}],
            "size": size,
            "project": project,
        },
    )


@require_GET
def project_notice_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    size = _size(request)
    board = notice_board.notice_board(project, _page_url(request, project), timezone.localdate())
    return _pdf(notice_board.boards_pdf([board], size), f"notice-{project.slug}-{size}.pdf")


@staff_only
@require_GET
def street_notices_pdf(request: HttpRequest, code: str) -> HttpResponse:
    street = get_object_or_404(Street, code=code)
    if not can_manage_street(request.user, street):
        raise PermissionDenied(_("You can print the site notices of your own street only."))
    size = _size(request)
    boards = notice_board.street_boards(street.code, lambda project: _page_url(request, project), timezone.localdate())
    if not boards:
        raise Http404(_("No project of this street is on site yet."))
    return _pdf(notice_board.boards_pdf(boards, size), f"notices-{street.code}-{size}.pdf")
