"""Queries of public pages compiled by the ORM once per process, then run with new values.

A public page runs the same few queries on every request with other values (a plan year, today,
a street, the filters of the project index, the path of the page routed to): building each one from
its queryset (resolving lookups and joins, compiling the SQL) cost the pages more CPU than the
database took to answer. A ``PreparedRows`` is written as the queryset it stands for; the first time
it runs (per database, vendor, time zone and set of values given) the queryset is built and compiled
twice, with two sets of stand-in values; the stand-ins are found among the SQL's parameters, and each
later run puts the values, prepared for the database as the ORM prepares them
(``Field.get_db_prep_value``), in their places. Rows are plain tuples, with the database's and the
fields' converters applied as ``values_list`` applies them, so they are what the queryset's
``values_list`` would have returned; ``PreparedObjects`` makes model instances of them as Django's
``ModelIterable`` does.

A value may take a parameter's place as it is (``=``, ``<``, ``__in`` of a fixed length...) or inside
a ``LIKE`` pattern as ``contains``/``startswith``/``endswith`` (and their ``i`` forms) escape it. A
lookup that derives its parameters from the value in any other way (``__year``, ``__upper``), or a
value written into the SQL text, is an error when the query is first compiled, not a wrong page: the
two compilations must give the same SQL and differ only in the values' places. A value the ORM would
answer without asking the database (an integer outside its column's range: Django leaves the
comparison out) is read through the ORM for that call.

A query made with ``paged`` cuts its page inside itself: ``build(page, **values)`` hands the narrow,
ordered queryset that picks the page's rows (their keys and what orders them) to ``page``, which slices
it; the page's bounds then go in that slice's ``LIMIT``/``OFFSET``, not around the whole query. A page
whose wide columns (a kept text, a value read out of JSON) are read only for its own rows, not for
every row the database sorts to find them: ``pk__in=page(ordered.values("pk"))``, ordered again
outside.

A query made with ``on_server`` is also prepared on the PostgreSQL server, once per connection
(``_cursor``): for a query whose planning costs the server more than running it (routing's page
lookup: seven tables and a sub-query), PostgreSQL then plans it a few times and keeps a generic plan.

``orm_reads()`` runs every prepared query through the ORM instead, for the tests that hold the two
byte for byte equal.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.backends.postgresql import psycopg_any
from django.db.models import Field, QuerySet
from django.db.models.query import get_related_populators
from django.utils import timezone

# Stand-ins no page asks for, one per value of a query (distinct by position) and per compilation
# (``mark`` 0 or 1). An integer must fit the smallest positive column (the ORM leaves out a
# comparison with a value out of range); a text holds the characters LIKE escapes and both cases, so
# that a value escaped or transformed otherwise is told apart.
_STAND_INS: dict[type, Callable[[int, int], Any]] = {
    int: lambda index, mark: 31_973 + index + 400 * mark,
    str: lambda index, mark: f"\x1fstand-in-{index}-{mark}%_\\Qz\x1f",
    date: lambda index, mark: date(1903, 1 + mark, 1 + index),
    datetime: lambda index, mark: datetime(1903, 3 + mark, 1 + index, 3, 4, 5, tzinfo=UTC),
    Decimal: lambda index, mark: Decimal(f"-731000{mark}.{index:03d}"),
}
_FIELD_KINDS: dict[type, tuple[type, ...]] = {
    datetime: (models.DateTimeField,),
    date: (models.DateField,),
    Decimal: (models.DecimalField,),
    int: (models.IntegerField, models.AutoField, models.ForeignKey),
    str: (models.CharField, models.TextField),
}
# How ``contains``, ``startswith`` and ``endswith`` (and their ``i`` forms) wrap an escaped value.
_LIKE_PATTERNS = ("%%%s%%", "%s%%", "%%%s")

_through_orm = False


@contextlib.contextmanager
def orm_reads() -> Iterator[None]:
    """Run prepared queries through the ORM (tests compare the two)."""
    global _through_orm
    previous, _through_orm = _through_orm, True
    try:
        yield
    finally:
        _through_orm = previous


@dataclass(frozen=True)
class _Slot:
    position: int
    name: str
    pattern: str | None  # None: the value as the field prepares it; else a LIKE pattern around it


# A paged query's stand-in bounds: no page asks for them, and their LIMIT/OFFSET text occurs once.
_PAGE_LIMIT, _PAGE_OFFSET = 31_957, 31_958


class _Compiled:
    def __init__(self, sql: str, params: list[Any], slots: list[_Slot], converters: list, width: int, compiler: Any):
        self.sql = sql
        self.params = params
        self.slots = slots
        self.converters = converters
        self.width = width
        self.compiler = compiler  # what it knows of the columns: which model and relation each is
        self.instances: Any = None  # PreparedObjects: how rows become instances
        self.page_at: int | None = None  # paged: where the page's limit and offset go among the params


class PreparedRows:
    """``build(**values)`` returns a ``values_list`` queryset; ``fields`` name each value's model
    field (its type and how the database takes it). Every value is given on every call, unless the
    query was made with ``PreparedRows.optional``."""

    def __init__(self, build: Callable[..., QuerySet], /, **fields: Field) -> None:
        self.build = build
        self.fields = fields
        self.partial = False
        self.server = False
        self.paged = False
        self._compiled: dict[tuple[str, str, str, frozenset[str]], _Compiled] = {}

    @classmethod
    def optional(cls, build: Callable[..., QuerySet], /, **fields: Field) -> PreparedRows:
        """A query whose values may be left out (a page's filters: ``build`` is called with those
        given); each set of names given is compiled once."""
        prepared = cls(build, **fields)
        prepared.partial = True
        return prepared

    @classmethod
    def on_server(cls, build: Callable[..., QuerySet], /, **fields: Field) -> PreparedRows:
        """The same, the query also prepared on the PostgreSQL server once per connection (``_cursor``)."""
        prepared = cls(build, **fields)
        prepared.server = True
        return prepared

    @classmethod
    def paged(cls, build: Callable[..., QuerySet], /, *, on_server: bool = False, **fields: Field) -> PreparedRows:
        """A query that cuts its page inside itself: ``build(page, **values)`` passes the ordered
        queryset that picks the page's rows to ``page`` (which slices it); ``rows`` must be given a
        ``limit``, which goes there with the ``offset``. ``on_server``: also prepared on the
        PostgreSQL server, as ``on_server`` prepares."""
        prepared = cls(build, **fields)
        prepared.paged = True
        prepared.server = on_server
        return prepared

    def _cursor(self) -> Any:
        return _cursor() if self.server else connection.cursor()

    def rows(
        self, *, limit: int | None = None, offset: int = 0, utf8: tuple[int, ...] = (), **values: Any
    ) -> list[tuple[Any, ...]]:
        """The rows, or ``limit`` of them from ``offset`` (as a slice of the queryset would);
        the text columns at the positions ``utf8`` as their UTF-8 bytes (``_as_utf8``)."""
        if self.paged and limit is None:
            raise ValueError("a paged query needs a limit")
        found = None if _through_orm else self._prepared(values)
        if found is None:
            if self.paged:
                queryset = self._queryset(values, _slicer(limit, offset))
            else:
                queryset = self._queryset(values)
                if limit is not None:
                    queryset = queryset[offset : offset + limit]
                elif offset:
                    queryset = queryset[offset:]
            rows = [row if isinstance(row, tuple) else (row,) for row in queryset]
            return _as_utf8(rows, utf8, ()) if utf8 else rows
        compiled, params = found
        sql = compiled.sql
        if compiled.page_at is not None:
            params[compiled.page_at : compiled.page_at] = [limit, offset]
        elif limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        elif offset:
            raise ValueError("an offset needs a limit")
        if utf8 and any(position in utf8 for position, _converter in compiled.converters):
            raise ValueError("a column read as bytes must have no converter")
        with self._cursor() as cursor:
            undecoded = utf8 and _read_text_as_bytes(cursor)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if undecoded:  # the other text columns, decoded as psycopg would have
                text = {index for index, column in enumerate(cursor.description) if column.type_code == _TEXT_OID}
                rows = _as_utf8(rows, utf8, tuple(text - set(utf8)))
            elif utf8:
                rows = _as_utf8(rows, utf8, ())
        return self._converted(compiled, rows)

    def _converted(self, compiled: _Compiled, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not compiled.converters:
            return [tuple(row[: compiled.width]) for row in rows]
        result = []
        for row in rows:
            row = list(row[: compiled.width])
            for position, (functions, expression) in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            result.append(tuple(row))
        return result

    def count(self, **values: Any) -> int:
        """How many rows there are, in one query."""
        if self.paged:
            raise ValueError("a paged query counts no more than its page")
        found = None if _through_orm else self._prepared(values)
        if found is None:
            return self._queryset(values).count()
        compiled, params = found
        with self._cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({compiled.sql}) AS counted", params)
            return cursor.fetchone()[0]

    def _queryset(self, values: dict[str, Any], page: Callable[[QuerySet], QuerySet] | None = None) -> QuerySet:
        self._check(values)
        return self.build(page, **values) if self.paged else self.build(**values)

    def _check(self, values: dict[str, Any]) -> None:
        if values.keys() != self.fields.keys() and not (self.partial and values.keys() <= self.fields.keys()):
            raise TypeError(f"expected values for {sorted(self.fields)}, got {sorted(values)}")

    def _prepared(self, values: dict[str, Any]) -> tuple[_Compiled, list[Any]] | None:
        """The compiled query and its parameters with these values; None when the ORM would
        answer otherwise (a value out of its column's range)."""
        self._check(values)
        key = (connection.alias, connection.vendor, timezone.get_current_timezone_name(), frozenset(values))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(sorted(values))
        prepared = {}
        for name, value in values.items():
            if not _in_range(self.fields[name], value):
                return None
            prepared[name] = self.fields[name].get_db_prep_value(value, connection, prepared=False)
        params = list(compiled.params)
        for slot in compiled.slots:
            value = prepared[slot.name]
            params[slot.position] = value if slot.pattern is None else _like(slot.pattern, value)
        return compiled, params

    def _compile(self, names: list[str]) -> _Compiled:
        stand_ins = [{}, {}]
        for index, name in enumerate(names):
            field = self.fields[name]
            python_type = next(kind for kind, fields in _FIELD_KINDS.items() if isinstance(field, fields))
            for mark, values in enumerate(stand_ins):
                values[name] = _STAND_INS[python_type](index, mark)
        page = _slicer(_PAGE_LIMIT, _PAGE_OFFSET)
        querysets = [self.build(page, **values) if self.paged else self.build(**values) for values in stand_ins]
        compilers = [queryset.query.get_compiler(connection=connection) for queryset in querysets]
        (sql, params), (other_sql, other_params) = (compiler.as_sql() for compiler in compilers)
        prepared = [
            {
                name: self.fields[name].get_db_prep_value(value, connection, prepared=False)
                for name, value in values.items()
            }
            for values in stand_ins
        ]
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError(f"the values of {names} change the query's SQL, not only its parameters")
        slots = []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if _same(one, two):
                continue
            slot = next((slot for name in names if (slot := _slot(position, name, one, two, prepared))), None)
            if slot is None:
                raise ValueError(f"a parameter of the query changes with {names} other than as one of them")
            slots.append(slot)
        for name in set(names) - {slot.name for slot in slots}:
            raise ValueError(f"the value of {name!r} does not reach the query's parameters as one value")
        compiler = compilers[0]
        width = compiler.col_count
        found = compiler.get_converters([column[0] for column in compiler.select[:width]])
        page_at = None
        if self.paged:
            sql, page_at = _page_bounds_as_params(sql)
        compiled = _Compiled(sql, list(params), slots, list(found.items()), width, compiler)
        compiled.page_at = page_at
        return compiled


def _slicer(limit: int, offset: int) -> Callable[[QuerySet], QuerySet]:
    return lambda queryset: queryset[offset : offset + limit]


def _page_bounds_as_params(sql: str) -> tuple[str, int]:
    """A paged query's SQL with its stand-in bounds as two parameters, and where they go among the
    parameters (how many come before them)."""
    bounds = connection.ops.limit_offset_sql(_PAGE_OFFSET, _PAGE_OFFSET + _PAGE_LIMIT)
    if sql.count(bounds) != 1:
        raise ValueError("a paged query must slice the queryset given to its page once")
    before, after = sql.split(bounds)
    # The parameters' places before the bounds: "%s", never a literal "%%".
    return f"{before}LIMIT %s OFFSET %s{after}", re.findall(r"%[%s]", before).count("%s")


class PreparedObjects(PreparedRows):
    """The same for a queryset of model instances, with what it ``select_related`` and its
    annotations (no ``prefetch_related``, no ``only``/``defer``): instances are made from the rows as
    Django's ``ModelIterable`` makes them (``Model.from_db`` and its related populators)."""

    def objects(self, **values: Any) -> list[Any]:
        found = None if _through_orm else self._prepared(values)
        if found is None:
            return list(self._queryset(values))
        compiled, params = found
        with self._cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = self._converted(compiled, cursor.fetchall())
        if compiled.instances is None:
            compiled.instances = _instance_maker(compiled.compiler)
        return [compiled.instances(row) for row in rows]


def _cursor() -> Any:
    """A cursor that prepares its statement on the server: on PostgreSQL with psycopg 3, once per
    connection (psycopg keeps the statement with the connection), then runs it by name. Django's own
    cursors bind values on the client, which never prepares; this one is wrapped as they are, so it
    is counted like any other query. While queries are logged (DEBUG, a test counting them) the
    query runs on Django's own cursor, unprepared: a prepared run leaves no text for the log."""
    if connection.vendor != "postgresql" or not psycopg_any.is_psycopg3 or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off for the whole connection (None), which also ignores
        # a statement asked to be prepared; its own cursors bind on the client and never prepare,
        # so a threshold no query reaches changes nothing for them.
        raw.prepare_threshold = _NEVER_BY_COUNT
    with connection.wrap_database_errors:
        cursor = _PreparingCursor(raw)
    return connection.make_cursor(cursor)


_NEVER_BY_COUNT = 2**31 - 1

if psycopg_any.is_psycopg3:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class _PreparingCursor(ServerBindingCursor):
        """Values bound on the server, the statement prepared at its first run on the connection."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True, **kwargs)


# Text columns read as the bytes PostgreSQL sent, in the connection's encoding (Django sets UTF8):
# a kept text (an OC4IDS project, a CSV line) that goes out as it was stored is then never decoded
# into a str and encoded back, which cost a page of a hundred OC4IDS projects (550 KB) more CPU
# than the rest of its work together.
_TEXT_OID = 25

if psycopg_any.is_psycopg3:
    from psycopg.adapt import Loader

    class _Utf8Loader(Loader):
        def load(self, data: Any) -> bytes:
            return bytes(data)


def _read_text_as_bytes(cursor: Any) -> bool:
    """Make this cursor (and no other) read ``text`` columns as bytes; whether it could (psycopg 3
    on PostgreSQL with the UTF8 encoding; elsewhere the values are encoded after reading)."""
    raw = getattr(cursor, "cursor", None)
    if connection.vendor != "postgresql" or not psycopg_any.is_psycopg3 or raw is None:
        return False
    if raw.connection.info.encoding != "utf-8":
        return False
    raw.adapters.register_loader("text", _Utf8Loader)
    return True


def _as_utf8(rows: list[tuple[Any, ...]], encode: tuple[int, ...], decode: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """The rows with the strings at ``encode`` as UTF-8 bytes and the bytes at ``decode`` as strings."""
    result = []
    for row in rows:
        values = list(row)
        for position in encode:
            if isinstance(values[position], str):
                values[position] = values[position].encode()
        for position in decode:
            if isinstance(values[position], bytes):
                values[position] = values[position].decode()
        result.append(tuple(values))
    return result


def _instance_maker(compiler: Any) -> Callable[[tuple[Any, ...]], Any]:
    """``ModelIterable.__iter__`` for one compiled query, set up once."""
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, connection.alias)
    annotations = list(compiler.annotation_col_map.items())

    def make(row: tuple[Any, ...]) -> Any:
        instance = model.from_db(connection.alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        return instance

    return make


def _slot(position: int, name: str, one: Any, two: Any, prepared: list[dict[str, Any]]) -> _Slot | None:
    """The value ``name`` in this parameter's place (as it is, or in a LIKE pattern), if it is."""
    first, second = prepared[0][name], prepared[1][name]
    if _same(one, first) and _same(two, second):
        return _Slot(position, name, None)
    if all(isinstance(value, str) for value in (one, two, first, second)):
        for pattern in _LIKE_PATTERNS:
            if one == _like(pattern, first) and two == _like(pattern, second):
                return _Slot(position, name, pattern)
    return None


def _like(pattern: str, value: str) -> str:
    return pattern % connection.ops.prep_for_like_query(value)


def _in_range(field: Field, value: Any) -> bool:
    """Whether an integer fits its column (the ORM answers a comparison with one that does not
    without it: a lookup of a value beyond an ``integer`` column matches nothing)."""
    if type(value) is not int:
        return True
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    try:
        low, high = connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:  # not an integer column
        return True
    return (low is None or value >= low) and (high is None or value <= high)


def _same(param: Any, prepared: Any) -> bool:
    return type(param) is type(prepared) and param == prepared
