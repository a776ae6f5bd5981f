"""The SMS copy of a notification, for users who opted in (``UserPhone.sms_opt_in``).

Sent by a background job on the worker (renovation/sms/tasks.py), never in the web request; the
job carries notification ids only, and reads each number when it sends."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from renovation.jobs.queue import enqueue_on_commit
from renovation.notifications.models import Notification
from renovation.notifications.services import DeliveryIncomplete, notification_link

from .message import SmsSendError, send_sms
from .models import UserPhone

logger = logging.getLogger(__name__)

# Provider templates limit a variable's length; the link carries the rest.
TITLE_LIMIT = 30


def sms_notify_on_commit(*, notifications: Sequence[Any]) -> None:
    """Queue the SMS copies of ``notifications`` whose recipients opted in (after commit)."""
    opted_in = set(
        UserPhone.objects.filter(user_id__in=[n.recipient_id for n in notifications], sms_opt_in=True).values_list(
            "user_id", flat=True
        )
    )
    ids = [n.pk for n in notifications if n.recipient_id in opted_in]
    if ids:
        from .tasks import notification_texts_send

        enqueue_on_commit(notification_texts_send, notification_ids=ids)


def notification_texts_send(*, notification_ids: list[int]) -> int:
    """Text each notification not texted yet to its recipient's own verified number, if they still
    opt in; returns how many went. Each sent text is marked at once (a retry sends the rest); a
    provider outage fails the job, never the change that was notified."""
    pending = list(Notification.objects.filter(pk__in=notification_ids, texted_at__isnull=True))
    numbers = dict(
        UserPhone.objects.filter(user_id__in=[n.recipient_id for n in pending], sms_opt_in=True).values_list(
            "user_id", "number"
        )
    )
    sent = failed = 0
    for notification in pending:
        number = numbers.get(notification.recipient_id)
        if not number:
            continue
        short = notification.title[:TITLE_LIMIT]
        link = notification_link(notification.url)
        try:
            send_sms(number=number, text=f"{short} {link}".strip(), template="notice", params={"title": short})
        except SmsSendError as error:  # the provider's reason, never the number
            failed += 1
            logger.warning("the SMS copy of notification %s failed: %s", notification.pk, error)
            continue
        Notification.objects.filter(pk=notification.pk).update(texted_at=timezone.now())
        sent += 1
    if failed:
        raise DeliveryIncomplete(f"{failed} of {sent + failed} notification texts could not be sent")
    return sent
