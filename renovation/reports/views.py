"""The reports page of the admin and the spreadsheet downloads, for bureau and street staff.

A download is built inside the view, while the user's language and the database connection are
active: openpyxl's write-only mode flushes each row to a temporary file as it is written and then
zips the sheets into a spooled temporary file (in memory up to ``SPOOL_BYTES``, on disk beyond),
which the response streams back in blocks. Memory stays flat in the number of rows; the first
byte leaves once the workbook is complete, because an xlsx is a zip whose directory comes last.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import answer_forbidden

from . import disclosure, exports, sheets
from .forms import DisclosureForm, IssueRegisterForm, LedgerFilterForm, MonthlyReportForm
from .workbook import XLSX_CONTENT_TYPE

SPOOL_BYTES = 4 * 1024 * 1024
View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Bureau and street staff only; anyone else gets 403 with the reason."""

    @answer_forbidden
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied(_("Reports are for housing bureau and street office staff."))
        return view(request, *args, **kwargs)

    return guarded


class SpreadsheetResponse(FileResponse):
    block_size = 64 * 1024


def attachment(filename: str, fallback: str) -> str:
    """RFC 6266 / 5987: an ASCII name for old clients, the real (UTF-8) name for everyone else."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def spreadsheet_response(write: Callable[[IO[bytes]], Any], *, filename: str, fallback: str) -> SpreadsheetResponse:
    # Not a context manager: the file outlives this function, and the response closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        write(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = SpreadsheetResponse(spool, content_type=XLSX_CONTENT_TYPE)  # closes the spool when done
    response["Content-Disposition"] = attachment(filename, fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def _index(request: HttpRequest, status: int = 200, **bound: Any) -> TemplateResponse:
    user = request.user
    context = {
        "page_title": pgettext("exports", "Reports"),
        "ledger_form": bound.get("ledger_form") or LedgerFilterForm(user=user),
        "monthly_form": bound.get("monthly_form") or MonthlyReportForm(user=user),
        "issue_form": bound.get("issue_form") or IssueRegisterForm(user=user),
        "disclosure_form": bound.get("disclosure_form") or DisclosureForm(user=user),
    }
    return TemplateResponse(request, "reports/index.html", context, status=status)


@staff_only
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@staff_only
def project_ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _index(request, status=400, ledger_form=form)
    rows = exports.project_ledger_rows(request.user, form.filters())
    day = timezone.localdate()
    return spreadsheet_response(
        lambda target: sheets.write_project_ledger(target, rows, filters=form.describe()),
        filename=sheets.file_name(_("Project ledger"), day),
        fallback=sheets.file_name("project-ledger", day),
    )


@staff_only
def monthly_report(request: HttpRequest) -> HttpResponse:
    form = MonthlyReportForm(request.GET, user=request.user)
    if not form.is_valid():
        return _index(request, status=400, monthly_form=form)
    report = exports.monthly_report(form.cleaned_data["year"], form.cleaned_data["month"], request.user)
    name = _("Monthly progress report")
    return spreadsheet_response(
        lambda target: sheets.write_monthly_report(target, report),
        filename=f"{name}-{report.label}.xlsx",
        fallback=f"monthly-report-{report.label}.xlsx",
    )


@staff_only
def site_issue_register(request: HttpRequest) -> HttpResponse:
    form = IssueRegisterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _index(request, status=400, issue_form=form)
    rows = exports.site_issue_register_rows(request.user, form.filters())
    day = timezone.localdate()
    return spreadsheet_response(
        lambda target: sheets.write_site_issue_register(target, rows, filters=form.describe()),
        filename=sheets.file_name(_("Site-issue register"), day),
        fallback=sheets.file_name("site-issues", day),
    )


@staff_only
def finance_disclosure(request: HttpRequest) -> HttpResponse:
    form = DisclosureForm(request.GET, user=request.user)
    if not form.is_valid():
        return _index(request, status=400, disclosure_form=form)
    filters = form.filters()
    rows = disclosure.disclosure_rows(request.user, filters)
    entries = disclosure.disclosure_entries(request.user, filters)
    label = f"{filters.year}Q{filters.quarter}"
    return spreadsheet_response(
        lambda target: disclosure.write_disclosure(target, rows, entries, filters=form.describe(), label=label),
        filename=f"{_('Quarterly finance disclosure')}-{label}.xlsx",
        fallback=f"finance-disclosure-{label}.xlsx",
    )
