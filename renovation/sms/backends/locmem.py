"""Tests: keep each message in ``renovation.sms.outbox`` instead of sending it."""

from __future__ import annotations

from typing import Any

from ..message import SmsMessage


class SmsBackend:
    def __init__(self, **options: Any) -> None:
        pass

    def send(self, message: SmsMessage) -> None:
        from renovation import sms

        sms.outbox.append(message)
