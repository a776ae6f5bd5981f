"""What a check reports: the rule broken, the record that breaks it, and the figures that show it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's code, e.g. "payments-within-contract"
    record: str  # the record that breaks it, e.g. "contract HT-2023-07 (#12)"
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.record}: {self.message}"


Rule = Callable[[], Iterator[Finding]]


def local_day(moment: datetime | date | None) -> date | None:
    """The calendar day in Beijing time of a stored moment (dates pass through)."""
    if moment is None or not isinstance(moment, datetime):
        return moment
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def project_label(project: Any) -> str:
    """How a finding names a project: its code and name (never a person)."""
    return f"project {project.code} {project.name}"


def local_stamp(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
