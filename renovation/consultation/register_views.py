"""Back-office pages of the household register import: template, upload, result."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau, is_staff_member
from renovation.backoffice.views import posted_data
from renovation.files.delivery import file_response
from renovation.spreadsheets.responses import attachment
from renovation.spreadsheets.writer import XLSX_CONTENT_TYPE

from . import services
from .forms import RegisterUploadForm
from .models import HouseholdImport
from .register import register_template


def _require_staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only street and bureau staff may import household registers."))


def _imports_visible(request: HttpRequest) -> object:
    # Street staff see their own uploads (the files hold personal data); the bureau sees all.
    records = HouseholdImport.objects.select_related("uploaded_by")
    return records if is_bureau(request.user) else records.filter(uploaded_by=request.user)


def upload(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = RegisterUploadForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.household_import(actor=request.user, upload=form.cleaned_data["workbook"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("workbook", message)
        else:
            return redirect("consultation_register_import_detail", pk=record.pk)
    context = {"form": form, "recent": _imports_visible(request)[:10]}
    return TemplateResponse(
        request, "consultation/admin/register_upload.html", context, status=400 if form.errors else 200
    )


def template_download(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    response = HttpResponse(register_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment(_("Household register template") + ".xlsx", "household-register.xlsx")
    return response


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    record = get_object_or_404(_imports_visible(request), pk=pk)
    return TemplateResponse(request, "consultation/admin/register_detail.html", {"record": record})


def annotated_download(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    record = get_object_or_404(_imports_visible(request), pk=pk)
    if not record.annotated:
        return redirect("consultation_register_import_detail", pk=record.pk)
    return file_response(record.annotated, download_name=f"errors-{record.original_name}")
