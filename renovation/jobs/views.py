"""Back-office page of the job queue: failed jobs with their error, and retrying one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renovation.accounts.permissions import is_bureau

from . import selectors, services


def _require_bureau(request: HttpRequest) -> None:
    if not is_bureau(request.user):
        raise PermissionDenied(_("Only housing bureau staff may see the background jobs."))


def failed(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    context = {
        "jobs": selectors.failed_jobs(),
        "counts": selectors.queue_counts(),
        "workers": selectors.workers_alive(),
    }
    return TemplateResponse(request, "jobs/failed.html", context)


@require_POST
def retry(request: HttpRequest, job_id: str) -> HttpResponse:
    _require_bureau(request)
    try:
        services.job_retry(actor=request.user, job_id=job_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The job is back in the queue; a worker will run it shortly."))
    return redirect("jobs_failed")
