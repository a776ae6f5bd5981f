"""One text message and the one function that sends it through the configured backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class SmsMessage:
    """``text`` is what the person reads (console, locmem); providers that send pre-approved
    templates (Alibaba Cloud) use ``template`` and ``params`` instead."""

    number: str
    text: str
    template: str
    params: dict[str, str] = field(default_factory=dict)


class SmsSendError(Exception):
    """The provider refused or could not be reached; the message says why, without the number."""


def mask_number(number: str) -> str:
    """138****1234: enough for a person to recognise their own number, useless to anyone else."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    if len(digits) < 7:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def get_backend(path: str | None = None, **options: Any) -> Any:
    backend_class = import_string(path or settings.SMS_BACKEND)
    return backend_class(**options)


def send_sms(*, number: str, text: str, template: str, params: dict[str, str] | None = None) -> None:
    """Send one message now; raises ``SmsSendError`` when the provider fails."""
    get_backend().send(SmsMessage(number=number, text=text, template=template, params=dict(params or {})))
