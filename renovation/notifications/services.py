"""Telling people that something concerns them: an in-app notification and, if they have an
address, an e-mail copy. The copies are background jobs that commit with the change (a rolled-back
change notifies nobody) and run on the worker, never in the web request."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from renovation.jobs.queue import enqueue_on_commit

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
    emailed = [n.pk for n in notifications if n.recipient.email]
    if emailed:
        from .tasks import notification_emails_send

        enqueue_on_commit(notification_emails_send, notification_ids=emailed)
    if sms and notifications:
        from renovation.sms.notify import sms_notify_on_commit

        sms_notify_on_commit(notifications=notifications)
    return len(notifications)


class DeliveryIncomplete(Exception):
    """Some copies could not be sent; the job fails so that staff see it and may retry it.
    Its message counts them and names nobody (no address, no number)."""


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Send the e-mail copy of each notification that has not had it yet; returns how many went.
    Each sent copy is marked at once, so a retry (or a run after a lost worker) sends only the
    rest. A mail server outage fails the job, never the change that was notified."""
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    sent = failed = 0
    for notification in pending:
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            continue
        try:
            send_mail(notification.title, _email_text(notification), settings.DEFAULT_FROM_EMAIL, [recipient.email])
        except Exception as error:  # its text may hold the address: log only its kind
            failed += 1
            logger.warning("the e-mail copy of notification %s failed: %s", notification.pk, type(error).__name__)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    if failed:
        raise DeliveryIncomplete(f"{failed} of {sent + failed} notification e-mails could not be sent")
    return sent


def notification_link(url: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _email_text(notification: Notification) -> str:
    return f"{notification.body}\n\n{notification_link(notification.url)}".strip()


def notifications_mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
