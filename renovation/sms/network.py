"""The address a request came from, for rate limits."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """``REMOTE_ADDR``, or the header named by ``CLIENT_IP_HEADER`` when a trusted proxy sets it
    (behind nginx every request comes from 127.0.0.1: ``CLIENT_IP_HEADER=HTTP_X_REAL_IP``)."""
    header = settings.CLIENT_IP_HEADER
    value = (request.META.get(header) if header else None) or request.META.get("REMOTE_ADDR")
    value = (value or "").split(",")[0].strip()
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value
