"""Development: print each message to the console (``make run``), so a code can be read there."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from ..message import SmsMessage, mask_number


class SmsBackend:
    def __init__(self, stream: TextIO | None = None, **options: Any) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> None:
        # The number is masked even here: console output ends up in logs (the journal, CI).
        self.stream.write(f"[SMS to {mask_number(message.number)}] {message.text}\n")
        self.stream.flush()
