"""API keys on requests: ``Authorization: Api-Key <key>``, the ``X-Api-Key`` header, or (as
Open311 clients send it) the ``api_key`` parameter. Without a key a request is anonymous."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import ApiKey
from .services import api_key_recognise


def raw_key(request: Request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("api-key "):
        return header[8:].strip()
    if request.META.get("HTTP_X_API_KEY"):
        return request.META["HTTP_X_API_KEY"].strip()
    value = request.query_params.get("api_key")
    if value is None and request.method == "POST":
        # Only for POST: reading the body of a GET would be pointless work.
        value = request.data.get("api_key") if hasattr(request.data, "get") else None
    return (value or "").strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A key that acts as a supervisor signs the request in as that supervisor; any other key
    leaves it anonymous but counted against the key's own (higher) rate."""

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        raw = raw_key(request)
        if not raw:
            return None
        key = api_key_recognise(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or was revoked."))
        user = key.user if key.user is not None and key.user.is_active else AnonymousUser()
        return user, key

    def authenticate_header(self, request: Request) -> str:
        return "Api-Key"
