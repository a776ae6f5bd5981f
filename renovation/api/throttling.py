"""Rates: anonymous callers by network address, key holders by key and its tier. Counts live in
the shared cache (Redis in production), so every worker process sees the same numbers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from renovation.sms.network import client_ip

from .models import ApiKey


class ApiRateThrottle(SimpleRateThrottle):
    scope = "anon"

    def allow_request(self, request: Request, view: Any) -> bool:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        self.scope = key.tier if key is not None else "anon"
        self.rate = settings.API_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        return settings.API_RATES[self.scope]

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": "key", "ident": request.auth.pk}
        return self.cache_format % {"scope": "anon", "ident": client_ip(request) or "unknown"}
