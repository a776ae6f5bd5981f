"""Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request (8 hours by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .permissions import is_staff_member

SEEN_KEY = "_staff_last_seen"
# Refresh the last-seen time at most once a minute, so a busy staff member's session is not
# rewritten on every request.
_REFRESH_SECONDS = 60


class StaffSessionIdleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_superuser or is_staff_member(user)):
            idle = settings.STAFF_SESSION_IDLE_SECONDS
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if isinstance(seen, int) and now - seen > idle:
                logout(request)
            elif not isinstance(seen, int) or now - seen >= _REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
                # The cookie and the stored session expire with the idle limit too.
                request.session.set_expiry(idle)
        return self.get_response(request)
