"""/metrics for Prometheus, answered only to the addresses in METRICS_ALLOWED_ADDRESSES."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from renovation.sms.network import client_ip

from .metrics import exposition


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    # Behind nginx the client's address is X-Real-IP (CLIENT_IP_HEADER); nginx also refuses
    # /metrics to anyone but the host, so this is the second lock, not the only one.
    if client_ip(request) not in settings.METRICS_ALLOWED_ADDRESSES:
        raise Http404
    return HttpResponse(exposition(settings.METRICS_MULTIPROC_DIRS), content_type=CONTENT_TYPE_LATEST)
