"""Telling people that something concerns them: an in-app notification and, if they have an
address, an e-mail sent after the transaction commits (a rolled-back change notifies nobody)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable[Any], title: str, body: str = "", url: str = "", exclude: Any = None, sms: bool = False
) -> int:
    """Notify each distinct active recipient once; returns how many were notified.

    ``sms=True`` marks a notification that matters on a phone: recipients who opted in get it as
    a text message too (after commit, to their own verified number only)."""
    seen: set[int] = set()
    notifications = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == getattr(exclude, "pk", None):
            continue
        seen.add(user.pk)
        notifications.append(Notification(recipient=user, title=title[:200], body=body, url=url[:300]))
    Notification.objects.bulk_create(notifications)
    addresses = sorted({n.recipient.email for n in notifications if n.recipient.email})
    if addresses:
        transaction.on_commit(lambda: _send_email(addresses, title, body, url))
    if sms and notifications:
        from renovation.sms.notify import sms_notify_on_commit

        sms_notify_on_commit(user_ids=[n.recipient.pk for n in notifications], title=title, url=url)
    return len(notifications)


def _send_email(addresses: list[str], title: str, body: str, url: str) -> None:
    link = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url
    text = f"{body}\n\n{link}".strip()
    for address in addresses:
        try:
            send_mail(title, text, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a mail server outage must not undo or hide the change itself
            logger.exception("notification e-mail to %s failed", address)


def notifications_mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
