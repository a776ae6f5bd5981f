"""Queries of public pages compiled by the ORM once per process, then run with new values.

A public list page runs the same few queries on every request with other values (a plan year,
today, a street): building each one from its queryset (resolving lookups and joins, compiling the
SQL) cost the pages more CPU than the database took to answer. A ``PreparedRows`` is written as the
queryset it stands for; the first time it runs (per database, vendor and time zone) the queryset is
built with stand-in values and compiled; the stand-ins are found among the SQL's parameters, and
each later run puts the values, prepared for the database as the ORM prepares them
(``Field.get_db_prep_value``), in their places. Rows are plain tuples, with the database's and the
fields' converters applied as ``values_list`` applies them, so they are what the queryset's
``values_list`` would have returned.

Only lookups that pass a value through as one parameter may take a stand-in (``=``, ``<``,
``__in`` of a fixed length...): a lookup that derives its parameters from the value (``__year``,
``__contains``) must be written as plain comparisons. A stand-in that does not reach the
parameters is an error when the query is first compiled, not a wrong page.

``orm_reads()`` runs every prepared query through the ORM instead, for the tests that hold the two
byte for byte equal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet
from django.utils import timezone

# Stand-ins no page asks for, one per parameter of a query (distinct by position). An integer must
# fit the smallest positive column (the ORM leaves out a comparison with a value out of range).
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda index: 31_973 + index,
    str: lambda index: f"\x1fstand-in-{index}\x1f",
    date: lambda index: date(1903, 1, 1 + index),
    datetime: lambda index: datetime(1903, 2, 1 + index, 3, 4, 5, tzinfo=UTC),
    Decimal: lambda index: Decimal(f"-7310000.{index:03d}"),
}

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


class _Compiled:
    def __init__(
        self, sql: str, params: list[Any], slots: dict[str, list[int]], converters: list, width: int, compiler: Any
    ):
        self.sql = sql
        self.params = params
        self.slots = slots
        self.converters = converters
        self.width = width
        self.compiler = compiler  # what it knows of the columns: which model and relation each is
        self.instances: Any = None  # PreparedObjects: how rows become instances


class PreparedRows:
    """``build(**values)`` returns a ``values_list`` queryset; ``fields`` name each value's model
    field (its type and how the database takes it)."""

    def __init__(self, build: Callable[..., QuerySet], **fields: Field) -> None:
        self.build = build
        self.fields = fields
        self._compiled: dict[tuple[str, str, str], _Compiled] = {}

    def rows(self, *, limit: int | None = None, offset: int = 0, **values: Any) -> list[tuple[Any, ...]]:
        """The rows, or ``limit`` of them from ``offset`` (as a slice of the queryset would)."""
        if _through_orm:
            queryset = self._queryset(values)
            if limit is not None:
                queryset = queryset[offset : offset + limit]
            elif offset:
                queryset = queryset[offset:]
            return [row if isinstance(row, tuple) else (row,) for row in queryset]
        compiled, params = self._prepared(values)
        sql = compiled.sql
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        elif offset:
            raise ValueError("an offset needs a limit")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
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
        if _through_orm:
            return self._queryset(values).count()
        compiled, params = self._prepared(values)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({compiled.sql}) AS counted", params)
            return cursor.fetchone()[0]

    def _queryset(self, values: dict[str, Any]) -> QuerySet:
        if values.keys() != self.fields.keys():
            raise TypeError(f"expected values for {sorted(self.fields)}, got {sorted(values)}")
        return self.build(**values)

    def _prepared(self, values: dict[str, Any]) -> tuple[_Compiled, list[Any]]:
        if values.keys() != self.fields.keys():
            raise TypeError(f"expected values for {sorted(self.fields)}, got {sorted(values)}")
        key = (connection.alias, connection.vendor, timezone.get_current_timezone_name())
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile()
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            prepared = self.fields[name].get_db_prep_value(values[name], connection, prepared=False)
            for position in positions:
                params[position] = prepared
        return compiled, params

    def _compile(self) -> _Compiled:
        stand_ins = {}
        for index, (name, field) in enumerate(self.fields.items()):
            python_type = next(kind for kind, fields in _FIELD_KINDS.items() if isinstance(field, fields))
            stand_ins[name] = _STAND_INS[python_type](index)
        compiler = self.build(**stand_ins).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots: dict[str, list[int]] = {}
        for name, stand_in in stand_ins.items():
            prepared = self.fields[name].get_db_prep_value(stand_in, connection, prepared=False)
            slots[name] = [position for position, param in enumerate(params) if _same(param, prepared)]
            if not slots[name]:
                raise ValueError(f"the value of {name!r} does not reach the query's parameters as one value")
        width = compiler.col_count
        found = compiler.get_converters([column[0] for column in compiler.select[:width]])
        return _Compiled(sql, params, slots, list(found.items()), width, compiler)


class PreparedObjects(PreparedRows):
    """The same for a queryset of model instances, with what it ``select_related`` (no
    ``prefetch_related``, no ``only``/``defer``): instances are made from the rows as Django's
    ``ModelIterable`` makes them (``Model.from_db`` and its related populators)."""

    def objects(self, **values: Any) -> list[Any]:
        if _through_orm:
            return list(self._queryset(values))
        compiled, params = self._prepared(values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = self._converted(compiled, cursor.fetchall())
        if compiled.instances is None:
            compiled.instances = _instance_maker(compiled.compiler)
        return [compiled.instances(row) for row in rows]


def _instance_maker(compiler: Any) -> Callable[[tuple[Any, ...]], Any]:
    """``ModelIterable.__iter__`` for one compiled query, set up once."""
    from django.db.models.query import get_related_populators

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


def _same(param: Any, prepared: Any) -> bool:
    return type(param) is type(prepared) and param == prepared


def _field_kinds() -> dict[type, tuple[type, ...]]:
    from django.db import models

    return {
        datetime: (models.DateTimeField,),
        date: (models.DateField,),
        Decimal: (models.DecimalField,),
        int: (models.IntegerField, models.AutoField, models.ForeignKey),
        str: (models.CharField, models.TextField),
    }


_FIELD_KINDS = _field_kinds()
