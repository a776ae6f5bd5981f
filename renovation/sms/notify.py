"""The SMS copy of a notification, for users who opted in (``UserPhone.sms_opt_in``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from .message import SmsSendError, mask_number, send_sms
from .models import UserPhone

logger = logging.getLogger(__name__)

# Provider templates limit a variable's length; the link carries the rest.
TITLE_LIMIT = 30


def sms_notify_on_commit(*, user_ids: list[int], title: str, url: str) -> None:
    numbers = list(UserPhone.objects.filter(user_id__in=user_ids, sms_opt_in=True).values_list("number", flat=True))
    if numbers:
        transaction.on_commit(lambda: _send(numbers, title, url))


def _send(numbers: list[str], title: str, url: str) -> None:
    link = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url
    short = title[:TITLE_LIMIT]
    for number in numbers:
        try:
            send_sms(number=number, text=f"{short} {link}".strip(), template="notice", params={"title": short})
        except SmsSendError as error:  # a provider outage must not undo or hide the change itself
            logger.warning("notification SMS to %s failed: %s", mask_number(number), error)
