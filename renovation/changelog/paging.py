"""A public change log paged in the database: count the entries and read one page of them, in a
fixed number of queries whatever the length of the history.

``history_entries`` (selectors.py) diffs every history row of an object against the one before it
in Python, so showing page 1 of a long log would read and diff the whole history. Here the same
rules run in SQL: a window (``LAG``) pairs each history row with the previous row of the same
object, a row becomes an entry when one of the public fields differs (or it created the object),
and the moment the entry is dated by (its event day, else when it was recorded) is computed per
row, so the database sorts, counts and slices. Only the rows of the page asked for (and the rows
before them) are loaded and diffed in Python, by the same ``diff_records``.

Each app describes its part of a project's log as ``HistorySource`` values; one ``PagedChangeLog``
merges them (a ``UNION ALL``) and behaves as a sequence for Django's ``Paginator``: ``count()``
is one query, a slice is one query plus one per source that has rows on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, Model
from django.utils import timezone

from .selectors import ChangeEntry, Formatter, diff_records, start_of_day


@dataclass(frozen=True)
class HistorySource:
    """One kind of object's history rows, as one part of a public change log.

    ``events``: fields (dates or moments) whose change dates the entry by the day it happened,
    the first that changed and is set wins (a moment counts by its local day). ``event_sql``: an
    SQL expression over the history row ``h`` giving that day before ``events`` are tried (NULL
    when it does not apply). ``created``: ``"show"`` (an object's first row is an entry), ``"hide"``
    (only later changes are) or ``"only"`` (only the first row is)."""

    model: type[Model]  # the historical model (``Model.history.model``)
    filters: dict[str, Any]  # column → value, on the history rows (``project_id``)
    fields: Sequence[str]
    subject: Callable[[Any], str]
    formatter: Formatter | None = None
    created: str = "show"
    events: Sequence[str] = ()
    event_sql: str = ""
    event_params: Sequence[Any] = ()
    extra_where: str = ""  # more SQL conditions on ``h``, e.g. "h.corrects_id IS NOT NULL"


class PagedChangeLog:
    """A project's public change log, newest first, counted and sliced in the database."""

    def __init__(self, sources: Sequence[HistorySource]) -> None:
        self.sources = list(sources)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            sql, params = self._union()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS log", params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if index.step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
            raise ValueError("a change log is sliced forwards only")
        if stop is not None and stop <= start:
            return []
        return self._page(start, None if stop is None else stop - start)

    def _union(self) -> tuple[str, list[Any]]:
        parts, params = [], []
        for rank, source in enumerate(self.sources):
            parts.append(_source_text(*_shape(source), rank, *_dialect()))
            params.extend([*source.event_params, *source.filters.values()])
        return " UNION ALL ".join(parts), params

    def _page(self, offset: int, limit: int | None) -> list[ChangeEntry]:
        sql, params = self._union()
        sql = f"SELECT * FROM ({sql}) AS log ORDER BY sort_key DESC, source DESC, history_date DESC, history_id DESC"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        if offset:
            sql += (" LIMIT -1" if limit is None and connection.vendor == "sqlite" else "") + " OFFSET %s"
            params.append(offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        wanted: dict[int, set[int]] = {}
        for source_rank, history_id, previous_id, _history_date, _event_day, _sort_key in rows:
            wanted.setdefault(source_rank, set()).update(pk for pk in (history_id, previous_id) if pk is not None)
        records = {rank: _history_rows(self.sources[rank].model, ids) for rank, ids in wanted.items()}
        entries = []
        for source_rank, history_id, previous_id, _history_date, event_day, _sort_key in rows:
            source = self.sources[source_rank]
            record = records[source_rank][history_id]
            previous = records[source_rank].get(previous_id) if previous_id is not None else None
            entries.append(_entry(source, previous, record, _as_date(event_day)))
        return entries


@cache
def history_model(model: type[Model]) -> type[Model]:
    """The historical model of a tracked model: ``Model.history`` builds a manager class on every
    access (django-simple-history's descriptor), which cost a page of the log about half a
    millisecond per source."""
    return model.history.model


def _history_rows(model: type[Model], ids: set[int]) -> dict[int, Any]:
    """History rows by id, as model instances, in one query written once per process: the ORM
    compiled the same ``in_bulk`` query anew on every page, for a few dozen rows."""
    sql, attnames, converters = _row_reader(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ({', '.join(['%s'] * len(ids))})", sorted(ids))
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        values = list(row)
        for index, expression, functions in converters:
            for function in functions:
                values[index] = function(values[index], expression, connection)
        record = model.from_db(connection.alias, attnames, values)
        found[record.history_id] = record
    return found


@lru_cache(maxsize=64)
def _row_reader(model: type[Model], vendor: str) -> tuple[str, list[str], list[tuple[int, Any, list[Any]]]]:
    """The SELECT of every column of a history table up to its ``IN`` list of ids, the attribute
    names, and the database's and the fields' converters (as the ORM applies them)."""
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(f"h.{_qn(field.column)}" for field in fields)
    converters = []
    for index, field in enumerate(fields):
        expression = field.get_col(table)
        functions = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if functions:
            converters.append((index, expression, functions))
    sql = f"SELECT {columns} FROM {_qn(table)} h WHERE h.history_id IN"
    return sql, [field.attname for field in fields], converters


def _entry(source: HistorySource, previous: Any, record: Any, event_day: date | None) -> ChangeEntry:
    changes = diff_records(previous, record, source.fields, source.formatter)
    when = start_of_day(event_day) if event_day is not None else record.history_date
    return ChangeEntry(
        when=when,
        subject=source.subject(record),
        created=previous is None,
        changes=tuple(changes),
        reason=record.history_change_reason or "",
        day_only=event_day is not None,
        recorded=record.history_date if event_day is not None else None,
    )


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


# --- SQL ----------------------------------------------------------------------------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _utc_hours() -> int:
    """The local zone's offset (SQLite has no zones; Asia/Shanghai has kept +8 since 1991)."""
    offset = timezone.localtime().utcoffset()
    return int(offset.total_seconds() // 3600) if offset else 0


def _local_day(expression: str) -> str:
    """The local calendar day of a stored moment."""
    if connection.vendor == "postgresql":
        return f"(({expression}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    return f"date({expression}, '{_utc_hours():+d} hours')"


def _as_day(expression: str) -> str:
    """Typed as a date for PostgreSQL (a bare NULL would be text); SQLite keeps days as text,
    which its CAST to DATE would turn into a number."""
    return f"CAST(({expression}) AS DATE)" if connection.vendor == "postgresql" else f"({expression})"


def _start_of_day(day: str) -> str:
    """A day as the moment it starts locally, comparable with stored moments (start_of_day)."""
    if connection.vendor == "postgresql":
        return f"(({day})::timestamp AT TIME ZONE '{settings.TIME_ZONE}')"
    return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {day}, '{-_utc_hours():+d} hours')"


def _shape(source: HistorySource) -> tuple[Any, ...]:
    """What the SQL of a source depends on (its values go as parameters)."""
    return (
        source.model,
        tuple(source.fields),
        tuple(source.events),
        tuple(source.filters),
        source.event_sql,
        source.extra_where,
        source.created,
    )


def _dialect() -> tuple[str, str, int]:
    return connection.vendor, settings.TIME_ZONE, _utc_hours()


# The SQL of a source depends only on its shape, the database and the zone: written once per
# process (a log page asked for it twice per request, for the count and for the page, and
# writing it cost several milliseconds of string work each time).
@lru_cache(maxsize=128)
def _source_text(
    model: type[Model],
    fields: tuple[str, ...],
    event_names: tuple[str, ...],
    filter_columns: tuple[str, ...],
    event_sql_text: str,
    extra_where: str,
    created: str,
    rank: int,
    vendor: str,
    time_zone: str,
    utc_hours: int,
) -> str:
    columns = {name: model._meta.get_field(name).column for name in fields}
    events = {name: model._meta.get_field(name) for name in event_names}
    selected = sorted(set(columns.values()) | {field.column for field in events.values()})
    window = "OVER (PARTITION BY h.id ORDER BY h.history_date, h.history_id)"
    lagged = ", ".join(
        f"h.{_qn(column)}, LAG(h.{_qn(column)}) {window} AS {_qn('prev_' + column)}" for column in selected
    )
    where = [f"h.{_qn(column)} = %s" for column in filter_columns]
    if extra_where:
        where.append(extra_where)
    event_sql = _as_day(event_sql_text or "NULL")

    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"  # both null-safe
    row = "ROW" if connection.vendor == "postgresql" else ""

    def is_set(column: str, field: Any) -> str:
        text = field.get_internal_type() in ("CharField", "TextField")
        return f"(r.{_qn(column)} IS NOT NULL" + (f" AND r.{_qn(column)} <> ''" if text else "") + ")"

    def changed(name: str) -> str:
        """The field changed in this row (for a first row: it is set), as ``diff_records`` says."""
        column, field = model._meta.get_field(name).column, model._meta.get_field(name)
        return (
            f"((r.prev_history_id IS NULL AND {is_set(column, field)}) OR (r.prev_history_id IS NOT NULL"
            f" AND r.{_qn(column)} {differs} r.{_qn('prev_' + column)}))"
        )

    # One row-value comparison rather than one per field: the same answer, and far less for the
    # planner to read (it plans these queries on every request).
    now = ", ".join(f"r.{_qn(column)}" for column in columns.values())
    before = ", ".join(f"r.{_qn('prev_' + column)}" for column in columns.values())
    any_changed = f"(r.prev_history_id IS NOT NULL AND {row}({now}) {differs} {row}({before}))"
    entry = {
        "show": f"(r.prev_history_id IS NULL OR {any_changed})",
        "hide": any_changed,
        "only": "r.prev_history_id IS NULL",
    }[created]
    cases = ["WHEN r.event_day IS NOT NULL THEN r.event_day"]
    for name, field in events.items():
        column = _qn(field.column)
        day = _local_day(f"r.{column}") if isinstance(field, DateTimeField) else f"r.{column}"
        cases.append(f"WHEN {changed(name)} AND r.{column} IS NOT NULL THEN {day}")
    event_day = f"CASE {' '.join(cases)} ELSE NULL END"
    inner = (
        f"SELECT h.history_id, h.history_date, h.history_type, LAG(h.history_id) {window} AS prev_history_id, "
        f"{event_sql} AS event_day, {lagged} FROM {_qn(model._meta.db_table)} h WHERE {' AND '.join(where)}"
    )
    dated = (
        f"SELECT r.history_id, r.prev_history_id, r.history_date, {event_day} AS event_day"
        f" FROM ({inner}) r WHERE r.history_type <> '-' AND {entry}"
    )
    sort_key = f"COALESCE({_start_of_day('d.event_day')}, d.history_date)"
    sql = (
        f"SELECT {rank} AS source, d.history_id, d.prev_history_id, d.history_date, d.event_day,"
        f" {sort_key} AS sort_key FROM ({dated}) d"
    )
    return sql
