"""A queryset written by the ORM once per process, then run with each request's values.

Building a queryset (``filter``, joins, subqueries) and compiling it to SQL costs a public page
more CPU than the database spends answering it. For a query whose shape is fixed and whose values
change per request (a page's filters), the ORM stays the one source of the SQL: ``run`` builds the
queryset twice with two sets of stand-in values, compiles both, and keeps the SQL when the two
differ only in the parameters that carry those values (a value as it is, or inside a ``LIKE``
pattern as ``contains``/``startswith``/``endswith`` escape it). Later requests of that shape run
the kept SQL with their own values in those places. A shape whose values the ORM writes in any
other way (into the SQL text, transformed, or not at all) is compiled anew on every request, as
before: never a different answer, at worst the old cost.

The rows come back as ``values_list`` would give them (the fields' converters applied).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Only these values take a kept parameter's place; any other type compiles anew.
_INT_LIMIT = 2**31  # outside a 32-bit integer the ORM may answer without SQL (a field's range)
_LIKE_PATTERNS = ("%%%s%%", "%s%%", "%%%s")
# The integer types PostgreSQL's backend sends typed (a value outside the type is an error there).
_INT_BITS = {"Int2": 16, "Int4": 32, "Int8": 64}
# A bound on the shapes one process keeps (a page's filters: a few dozen at most).
LIMIT = 256


@dataclass(frozen=True)
class _Slot:
    index: int
    name: str
    pattern: str | None  # None: the value as it is; else a LIKE pattern around its escaped text
    cast: type | None = None  # the integer type the backend sends it as (psycopg's Int2, Int4...)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    order: tuple[int, ...]  # where each field asked for is in a row of the SQL
    converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]


_kept: dict[Hashable, _Compiled | None] = {}


def forget() -> None:
    """Drop every kept SQL (a new process starts so)."""
    _kept.clear()


def run(
    key: Hashable,
    build: Callable[..., QuerySet],
    values: dict[str, Any],
    *,
    suffix: str = "",
    suffix_params: tuple[Any, ...] = (),
    wrap: str = "",
    using: str = DEFAULT_DB_ALIAS,
) -> list[tuple[Any, ...]]:
    """The rows of ``build(**values)`` (a ``values_list`` queryset whose shape depends on ``key``
    and on which of ``values`` are given, never on the values themselves). ``suffix``: SQL after
    the query (``LIMIT %s OFFSET %s``) with its parameters; ``wrap``: SQL around it, ``{}`` the
    query (``SELECT COUNT(*) FROM ({}) AS counted``: then the rows are returned unconverted)."""
    connection = connections[using]
    shape = (key, using, connection.vendor, tuple(sorted((name, type(value)) for name, value in values.items())))
    if shape not in _kept:
        if len(_kept) >= LIMIT:
            _kept.clear()
        _kept[shape] = _compile(build, values, using) if all(map(_placeable, values.values())) else None
    compiled = _kept[shape] if all(map(_placeable, values.values())) else None
    params = _params(compiled, values, connection) if compiled is not None else None
    if compiled is None or params is None:
        try:
            compiled = _compiled_with(build(**values), using)
        except EmptyResultSet:
            return []  # the ORM knows there is no row without asking
        params = list(compiled.params)
    sql = compiled.sql + suffix
    if wrap:
        sql = wrap.format(sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *suffix_params])
        rows = cursor.fetchall()
    if wrap:
        return rows
    return [_row(row, compiled, connection) for row in rows]


def _params(compiled: _Compiled, values: dict[str, Any], connection: Any) -> list[Any] | None:
    """The kept parameters with these values in their places; None when one does not fit the
    type the backend sends it as (the ORM then answers as it would, without SQL)."""
    params = list(compiled.params)
    for slot in compiled.slots:
        value = values[slot.name]
        if slot.pattern is not None:
            value = slot.pattern % connection.ops.prep_for_like_query(value)
        elif slot.cast is not None:
            bits = _INT_BITS.get(slot.cast.__name__)
            if bits is None or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
                return None
            value = slot.cast(value)
        params[slot.index] = value
    return params


def _placeable(value: Any) -> bool:
    if type(value) is int:
        return -_INT_LIMIT < value < _INT_LIMIT
    return type(value) is str


def _stand_ins(values: dict[str, Any], mark: str) -> dict[str, Any]:
    """Values of the same types that nothing else in a query is: private-use characters, the
    characters LIKE escapes and both cases (so that a transformed value is told apart)."""
    stand_ins: dict[str, Any] = {}
    for number, (name, value) in enumerate(sorted(values.items())):
        if type(value) is int:
            stand_ins[name] = 30_011 + 2 * number + (mark == "b") * 1_000  # within a small integer
        else:
            stand_ins[name] = f"\ue000{name}{mark}%_\\Qz"
    return stand_ins


def _compile(build: Callable[..., QuerySet], values: dict[str, Any], using: str) -> _Compiled | None:
    """The SQL of this shape with the places of its values, or None when it cannot be kept."""
    first, second = _stand_ins(values, "a"), _stand_ins(values, "b")
    try:
        one = _compiled_with(build(**first), using)
        two = _compiled_with(build(**second), using)
    except EmptyResultSet:
        return None
    if one.sql != two.sql or len(one.params) != len(two.params):
        return None
    ops = connections[using].ops
    slots = []
    found = set()
    for index, (a, b) in enumerate(zip(one.params, two.params, strict=True)):
        if a == b and type(a) is type(b):
            continue
        slot = None
        for name in values:
            if a == first[name] and b == second[name] and type(a) is type(first[name]):
                slot = _Slot(index, name, None)
            elif (
                type(first[name]) is int
                and type(a) is type(b)
                and isinstance(a, int)
                and (a, b)
                == (
                    first[name],
                    second[name],
                )
            ):
                slot = _Slot(index, name, None, cast=type(a))  # a typed integer (psycopg's Int2)
            elif isinstance(first[name], str) and isinstance(a, str) and isinstance(b, str):
                for pattern in _LIKE_PATTERNS:
                    if a == pattern % ops.prep_for_like_query(first[name]) and b == pattern % ops.prep_for_like_query(
                        second[name]
                    ):
                        slot = _Slot(index, name, pattern)
            if slot is not None:
                break
        if slot is None:
            return None  # a parameter changed that is none of the values: compiled anew each time
        slots.append(slot)
        found.add(slot.name)
    if found != set(values):
        return None  # a value written into the SQL (or not used): compiled anew each time
    return _Compiled(one.sql, one.params, tuple(slots), one.order, one.converters)


def _compiled_with(queryset: QuerySet, using: str) -> _Compiled:
    query = queryset.query
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    if query.selected is not None:  # the columns in the order values_list named them
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = list(queryset._fields or names)
    order = tuple(names.index(name) for name in fields)
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = tuple(
        (index, expression, tuple(functions))
        for index, (functions, expression) in compiler.get_converters(selected).items()
    )
    return _Compiled(sql, tuple(params), (), order, converters)


def _row(row: tuple[Any, ...], compiled: _Compiled, connection: Any) -> tuple[Any, ...]:
    if compiled.converters:
        values = list(row)
        for index, expression, functions in compiled.converters:
            for function in functions:
                values[index] = function(values[index], expression, connection)
        row = tuple(values)
    return tuple(row[index] for index in compiled.order)
