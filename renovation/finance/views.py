"""Back-office pages of the ledger: projects with their balances, one project's finance (entries,
disclosures, publishing a quarter), correcting an entry and importing a bank statement (queued:
the upload page, then the import's status page)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import add_service_errors, posted_data
from renovation.files.delivery import file_response
from renovation.jobs.selectors import job_failed
from renovation.projects.models import Project
from renovation.projects.selectors import projects_manageable_by
from renovation.projects.services import require_project_manager
from renovation.spreadsheets.writer import XLSX_CONTENT_TYPE

from . import services
from .forms import CorrectionForm, PublishForm, StatementForm
from .models import LedgerEntry, StatementImport
from .public import PublicFinance, public_finance
from .selectors import ledger_entries_manageable_by, statement_imports_recent
from .statement import statement_template

ENTRIES_PER_PAGE = 50
STALE_SECONDS = 600


def _require_staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("The ledger is kept by housing bureau and street office staff."))


def _project(request: HttpRequest, pk: int) -> Project:
    """Any project by id, then 403 (with the reason) outside the user's streets."""
    _require_staff(request)
    project = get_object_or_404(Project.objects.select_related("neighbourhood__community__street"), pk=pk)
    require_project_manager(request.user, project)
    return project


def project_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    projects = projects_manageable_by(request.user).order_by("-plan_year", "code")
    page = Paginator(projects, 50).get_page(request.GET.get("p"))
    return TemplateResponse(request, "finance/projects.html", {"page_obj": page})


def _project_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    finance: PublicFinance = public_finance(project, timezone.localdate())
    entries = ledger_entries_manageable_by(request.user).filter(project=project).order_by("-booked_on", "-pk")
    return {
        "project": project,
        "finance": finance,
        "entries": Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("p")),
        "publish_form": extra.pop("publish_form", None) or PublishForm(),
        **extra,
    }


def project_finance(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    return TemplateResponse(request, "finance/project.html", _project_context(request, project))


def disclosure_publish(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = PublishForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.disclosure_publish(
                actor=request.user,
                project=project,
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("finance_project", pk=project.pk)
    context = _project_context(request, project, publish_form=form)
    return TemplateResponse(request, "finance/project.html", context, status=400 if form.errors else 200)


def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    entry = get_object_or_404(LedgerEntry.objects.select_related("project__neighbourhood__community__street"), pk=pk)
    _project(request, entry.project_id)
    form = CorrectionForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ledger_entry_correct(
                actor=request.user,
                entry=entry,
                amount=data["amount"],
                reason=data["reason"],
                booked_on=data["booked_on"],
                bank_reference=data["bank_reference"],
                invoice_number=data["invoice_number"],
            )
        except ValidationError as error:
            add_service_errors(form, _rename(error, {"note": "reason"}))
        else:
            return redirect("finance_project", pk=entry.project_id)
    status = 400 if form.errors else 200
    return TemplateResponse(request, "finance/correct.html", {"entry": entry, "form": form}, status=status)


def _rename(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(name, name): errors for name, errors in error.error_dict.items()})


def statement_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a statement: checked at once as a file, then imported by the worker."""
    project = _project(request, pk)
    form = StatementForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.ledger_statement_import_start(
                actor=request.user, project=project, upload=form.cleaned_data["workbook"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("workbook", message)
        else:
            return redirect("finance_statement_import_detail", pk=record.pk)
    context = {"project": project, "form": form, "recent": statement_imports_recent(project)}
    return TemplateResponse(request, "finance/statement.html", context, status=400 if form.errors else 200)


def statement_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.ledger_statement_import_visible(actor=request.user, import_id=pk)
    # Queued: waiting for a worker. Running: a worker has it; if that worker dies the queue takes
    # the job back by itself (renovation/jobs), and once the queue gives up the page says so.
    waiting = record.status in (StatementImport.Status.QUEUED, StatementImport.Status.RUNNING)
    interrupted = waiting and job_failed(record.job_id)
    running = record.status == StatementImport.Status.RUNNING
    stale = running and not interrupted and record.idle_seconds > STALE_SECONDS
    context = {"record": record, "project": record.project, "interrupted": interrupted, "stale": stale}
    return TemplateResponse(request, "finance/statement_detail.html", context)


def statement_import_annotated(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.ledger_statement_import_visible(actor=request.user, import_id=pk)
    if not record.annotated:
        return redirect("finance_statement_import_detail", pk=record.pk)
    return file_response(record.annotated, download_name=f"errors-{record.original_name}")


def template_download(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    response = HttpResponse(statement_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        'attachment; filename="bank-statement-template.xlsx"; '
        "filename*=UTF-8''%E9%93%B6%E8%A1%8C%E6%B5%81%E6%B0%B4%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
