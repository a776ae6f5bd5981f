"""One request id from nginx to the Django logs and back to the client.

nginx puts its ``$request_id`` into ``X-Request-ID`` towards the app and into its access log
(deploy/nginx/renovation.conf); this middleware takes it (or makes one when nothing in front of
Django set it, as under ``make run``), keeps it for the request's log records and answers with it.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; accept any short token of safe characters, nothing that
# could forge a log line or a header.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
NO_REQUEST = "-"

_current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    return _current.get()


def request_id_from(request: HttpRequest) -> str:
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    return offered if _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        request.request_id = request_id
        # Kept until the response is closed (request_finished below): Django logs a 4xx answer
        # ("Not Found: …") after the last middleware has returned.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="renovation.operations.requestid.forget")
def forget_request_id(**kwargs: object) -> None:
    _current.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record ("-" outside a request: commands, workers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", None) or current_request_id()
        return True


class ClientErrorWithoutTraceback(logging.Filter):
    """A refused request (4xx: permission denied, bad request) is the client's mistake, not ours:
    Django logs it with the exception's traceback; keep the one-line warning, drop the traceback.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
