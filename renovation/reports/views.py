"""The reports page of the admin and the spreadsheet downloads, for bureau and street staff.

Downloads are streamed by ``renovation.spreadsheets.responses`` (see there for how memory stays flat).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import answer_forbidden
from renovation.places.selectors import streets_manageable_by
from renovation.spreadsheets.responses import spreadsheet_response

from . import disclosure, exports, sheets
from .forms import DisclosureForm, IssueRegisterForm, LedgerFilterForm, MonthlyReportForm

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


def _index(request: HttpRequest, status: int = 200, **bound: Any) -> TemplateResponse:
    user = request.user
    context = {
        "page_title": pgettext("exports", "Reports"),
        "ledger_form": bound.get("ledger_form") or LedgerFilterForm(user=user),
        "monthly_form": bound.get("monthly_form") or MonthlyReportForm(user=user),
        "issue_form": bound.get("issue_form") or IssueRegisterForm(user=user),
        "disclosure_form": bound.get("disclosure_form") or DisclosureForm(user=user),
        "notice_streets": streets_manageable_by(user),
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
