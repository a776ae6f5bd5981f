"""Reads for accounts: sign-in locks (django-axes' attempts) and account lists."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def login_lock_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def login_locks() -> QuerySet:
    """Username/address pairs locked out now (enough failures within the lock period), newest first."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
        .only("pk", "username", "ip_address", "failures_since_start", "attempt_time", "path_info")
        .order_by("-attempt_time")
    )


def login_failures_recent(limit: int = 50) -> QuerySet:
    """Failed attempts not (yet) locked, for context next to the locks."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(failures_since_start__lt=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
        .only("pk", "username", "ip_address", "failures_since_start", "attempt_time", "path_info")
        .order_by("-attempt_time")[:limit]
    )
