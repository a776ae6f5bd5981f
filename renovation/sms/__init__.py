"""Text messages (短信) to mobile phones, through a backend chosen by ``SMS_BACKEND`` the way Django
chooses e-mail backends: console for ``make run``, locmem in tests, Alibaba Cloud in production.

``outbox`` is filled by the locmem backend, like ``django.core.mail.outbox``.
"""

from __future__ import annotations

from .message import SmsMessage, mask_number, send_sms

outbox: list[SmsMessage] = []

__all__ = ["SmsMessage", "mask_number", "outbox", "send_sms"]
