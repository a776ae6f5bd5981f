"""Back-office pages of the plan import: upload, follow its progress, read the problems."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renovation.accounts.permissions import is_bureau
from renovation.backoffice.views import posted_data
from renovation.files.delivery import file_response

from . import services
from .models import PlanImport
from .template import plan_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("Plan workbook (.xlsx)"))


def _require_bureau(request: HttpRequest) -> None:
    if not is_bureau(request.user):
        raise PermissionDenied(_("Only housing bureau staff may import the annual plan."))


def upload(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    form = UploadForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.plan_import_start(actor=request.user, upload=form.cleaned_data["workbook"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("workbook", message)
        else:
            return redirect("plan_import_detail", pk=record.pk)
    recent = PlanImport.objects.select_related("uploaded_by")[:10]
    return TemplateResponse(
        request, "planning/upload.html", {"form": form, "recent": recent}, status=400 if form.errors else 200
    )


def template_download(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    response = HttpResponse(plan_template(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E8%AE%A1%E5%88%92%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


def _record(request: HttpRequest, pk: int) -> PlanImport:
    _require_bureau(request)
    return get_object_or_404(PlanImport.objects.select_related("uploaded_by"), pk=pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    # Queued: waiting for a worker (the page says so). Running with no progress for ten minutes: its
    # worker may have died; the queue takes the job back by itself (renovation/jobs).
    running = record.status in (PlanImport.Status.VALIDATING, PlanImport.Status.IMPORTING)
    stale = running and (timezone.now() - record.updated_at).total_seconds() > 600
    return TemplateResponse(request, "planning/detail.html", {"record": record, "stale": stale})


def status(request: HttpRequest, pk: int) -> JsonResponse:
    record = _record(request, pk)
    return JsonResponse(
        {
            "status": record.status,
            "label": str(record.get_status_display()),
            "percent": record.percent,
            "rows_done": record.rows_done,
            "rows_total": record.rows_total,
            "finished": record.finished,
        }
    )


def annotated_download(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    if not record.annotated:
        return redirect("plan_import_detail", pk=record.pk)
    return file_response(record.annotated, download_name=f"errors-{record.original_name}")
