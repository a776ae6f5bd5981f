"""Turn django-simple-history rows into a readable change log.

Only fields listed as public are shown: the public sees what changed in progress, money, dates
and status, never who in the office typed it or internal fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ChangeEntry:
    when: datetime  # when the event happened (as staff recorded it), else when it was entered
    subject: str  # what changed, e.g. the project or one work item
    created: bool
    changes: tuple[FieldChange, ...]
    reason: str = ""
    day_only: bool = False  # the event is known to the day (a signing date, a booking date)
    recorded: datetime | None = None  # when it was entered, if that differs


Formatter = Callable[[Model, str, Any], Any]
# The day or moment an event happened, from its history row and what it changed; None: the
# change itself is the event (its time of entry is its date).
Occurred = Callable[[Any, list[FieldChange]], date | datetime | None]


def start_of_day(day: date) -> datetime:
    """A day as a moment (its start in Beijing time), so dated and timed events sort together."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _display(model: type[Model], name: str, value: Any) -> Any:
    if value is None or value == "":
        return "—"
    field = model._meta.get_field(name)
    if field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    return value


def diff_records(
    previous: Any, record: Any, fields: Sequence[str], formatter: Formatter | None = None
) -> list[FieldChange]:
    """The listed fields that differ between two history rows of one object (no query)."""
    model = record.instance_type
    fmt = formatter or _display
    changes = []
    for name in fields:
        attname = _attname(model, name)
        new_value = getattr(record, attname)
        old_value = getattr(previous, attname) if previous is not None else None
        if previous is not None and new_value == old_value:
            continue
        if previous is None and new_value in (None, ""):
            continue
        label = str(model._meta.get_field(name).verbose_name)
        changes.append(
            FieldChange(field=name, label=label, old=fmt(model, name, old_value), new=fmt(model, name, new_value))
        )
    return changes


def history_entries(
    records: Iterable[Any],
    *,
    fields: Sequence[str],
    subject: Callable[[Any], str],
    formatter: Formatter | None = None,
    show_created: bool = True,
    occurred: Occurred | None = None,
) -> list[ChangeEntry]:
    """Diff each history row against the previous row of the same object, in memory.

    ``records`` must be ordered by object then date (one query for all of them); no query is
    made per row. Rows that change none of ``fields`` are left out. ``occurred`` dates an entry by
    when its event happened, where staff record that apart from when they entered it.
    """
    entries: list[ChangeEntry] = []
    previous_by_object: dict[Any, Any] = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        created = previous is None
        if record.history_type == "-" or (created and not show_created):
            continue
        changes = diff_records(previous, record, fields, formatter)
        if not changes and not created:
            continue
        event = occurred(record, changes) if occurred else None
        when, day_only = record.history_date, False
        if isinstance(event, datetime):
            when = event
        elif isinstance(event, date):
            when, day_only = start_of_day(event), True
        entries.append(
            ChangeEntry(
                when=when,
                subject=subject(record),
                created=created,
                changes=tuple(changes),
                reason=record.history_change_reason or "",
                day_only=day_only,
                recorded=record.history_date if event is not None else None,
            )
        )
    return entries


def _attname(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).attname


def ordered_history(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("id", "history_date", "history_id")
