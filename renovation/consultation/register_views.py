"""Back-office pages of the household register import: template, upload, status and result."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import posted_data
from renovation.files.delivery import file_response
from renovation.jobs.selectors import job_failed
from renovation.spreadsheets.responses import attachment
from renovation.spreadsheets.writer import XLSX_CONTENT_TYPE

from . import services
from .forms import RegisterUploadForm
from .models import HouseholdImport
from .register import register_template
from .selectors import household_imports_visible_to

STALE_SECONDS = 600


def _require_staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only street and bureau staff may import household registers."))


def upload(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = RegisterUploadForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.household_import_start(actor=request.user, upload=form.cleaned_data["workbook"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("workbook", message)
        else:
            return redirect("consultation_register_import_detail", pk=record.pk)
    context = {"form": form, "recent": household_imports_visible_to(request.user)[:10]}
    return TemplateResponse(
        request, "consultation/admin/register_upload.html", context, status=400 if form.errors else 200
    )


def template_download(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    response = HttpResponse(register_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment(_("Household register template") + ".xlsx", "household-register.xlsx")
    return response


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.household_import_visible(actor=request.user, import_id=pk)
    # Queued: waiting for a worker. Running: a worker has it; if that worker dies the queue takes
    # the job back by itself (renovation/jobs), and once the queue gives up the page says so.
    waiting = record.status in (HouseholdImport.Status.QUEUED, HouseholdImport.Status.RUNNING)
    interrupted = waiting and job_failed(record.job_id)
    running = record.status == HouseholdImport.Status.RUNNING
    stale = running and not interrupted and record.idle_seconds > STALE_SECONDS
    context = {"record": record, "interrupted": interrupted, "stale": stale}
    return TemplateResponse(request, "consultation/admin/register_detail.html", context)


def annotated_download(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.household_import_visible(actor=request.user, import_id=pk)
    if not record.annotated:
        return redirect("consultation_register_import_detail", pk=record.pk)
    return file_response(record.annotated, download_name=f"errors-{record.original_name}")
