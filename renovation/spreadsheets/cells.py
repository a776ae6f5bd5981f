"""Reading an uploaded workbook cell by cell: its columns, the header check, typed cell readers,
and the problems they collect — each with its sheet, row and column, so staff fix everything in
one go.

Shared by every workbook import (annual plan, household register, bank statement); an import adds
its own kinds of cell (a street, a category, 收入/支出 …) as readers and its own problem labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

# Rows whose first column starts with this are the template's examples, skipped on import.
EXAMPLE_PREFIX = "示例"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header in the template; headers are matched exactly (trimmed)
    kind: str  # text, int, money, date, or a kind the import reads itself (category, street …)
    required: bool = True
    width: int = 14


# What the shared readers and the header check report; imports add their own codes.
CELL_PROBLEMS = {
    "required": gettext_lazy("This cell must be filled in."),
    "number": gettext_lazy("Enter a number."),
    "whole_number": gettext_lazy("Enter a whole number."),
    "negative": gettext_lazy("Amounts cannot be negative."),
    "too_large": gettext_lazy("The amount is too large (at most 999,999,999,999.99 yuan)."),
    "date": gettext_lazy("Enter a date (e.g. 2024-03-01)."),
    "too_long": gettext_lazy("The text is too long."),
}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None  # "C 小区"
    cell: str | None  # "C7", for marking the workbook
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "code": self.code,
            "message": self.message,
        }


class CellError(Exception):
    """Raised by a cell reader; ``code`` is a key of the problem labels."""

    def __init__(self, code: str) -> None:
        self.code = code


def read_text_cell(value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if len(text) > 200:
        raise CellError("too_long")
    return text


def read_int_cell(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("whole_number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise CellError("whole_number") from error
    if number != number.to_integral_value():
        raise CellError("whole_number")
    if number < 0:
        raise CellError("negative")
    return int(number)


MONEY_LIMIT = Decimal(10) ** 12


def read_money_cell(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("number")
    try:
        number = Decimal(str(value).replace(",", "").replace("，", ""))
    except InvalidOperation as error:
        raise CellError("number") from error
    if not number.is_finite():
        raise CellError("number")
    if number < 0:
        raise CellError("negative")
    # Money columns hold 14 digits with 2 decimals: a larger figure is a typing error, and the
    # database would refuse it (or quantize would raise) long after the checks said "valid".
    if number >= MONEY_LIMIT:
        raise CellError("too_large")
    return number.quantize(Decimal("0.01"))


def read_date_cell(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CellError("date") from error


CellReader = Callable[[Any], Any]
READERS: dict[str, CellReader] = {
    "text": read_text_cell,
    "int": read_int_cell,
    "money": read_money_cell,
    "date": read_date_cell,
}


class RowCells:
    """Typed reading of one row, collecting problems instead of raising.

    ``readers`` maps a column kind to its reader (the shared ``READERS`` unless the import adds
    kinds of its own); ``labels`` the problem codes to messages (``CELL_PROBLEMS`` unless given);
    ``by_key`` lets the import name columns by key instead of passing the ``Column``.
    """

    __slots__ = ("by_key", "labels", "positions", "problems", "readers", "row_number", "sheet", "values")

    def __init__(
        self,
        sheet: str,
        row_number: int,
        positions: dict[str, int],
        values: tuple,
        problems: list[Problem],
        *,
        readers: Mapping[str, CellReader] = READERS,
        labels: Mapping[str, Any] = CELL_PROBLEMS,
        by_key: Mapping[str, Column] | None = None,
    ) -> None:
        self.sheet, self.row_number, self.positions, self.values, self.problems = (
            sheet,
            row_number,
            positions,
            values,
            problems,
        )
        self.readers, self.labels, self.by_key = readers, labels, by_key

    def _column(self, column: Column | str) -> Column:
        return self.by_key[column] if isinstance(column, str) else column

    def problem(self, column: Column | str, code: str, message: str | None = None) -> None:
        column = self._column(column)
        index = self.positions[column.key]
        letter = get_column_letter(index + 1)
        self.problems.append(
            Problem(
                sheet=self.sheet,
                row=self.row_number,
                column=f"{letter} {column.header}",
                cell=f"{letter}{self.row_number}",
                code=code,
                message=str(message or self.labels.get(code) or CELL_PROBLEMS[code]),
            )
        )

    def raw(self, column: Column | str) -> Any:
        index = self.positions.get(self._column(column).key)
        value = self.values[index] if index is not None and index < len(self.values) else None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def read(self, column: Column | str, reader: CellReader | None = None) -> Any:
        """The cell's typed value, or None (a problem recorded when it is required or invalid)."""
        if isinstance(column, str):
            column = self.by_key[column]
        # raw(), inlined: this runs for every cell of every import.
        index = self.positions.get(column.key)
        value = self.values[index] if index is not None and index < len(self.values) else None
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if column.required:
                self.problem(column, "required")
            return None
        try:
            return (reader or self.readers[column.kind])(value)
        except CellError as invalid:
            self.problem(column, invalid.code)
            return None


def header_positions(
    sheet: str, header: tuple, columns: tuple[Column, ...], problems: list[Problem]
) -> dict[str, int] | None:
    """Where each column is, by its header; None (and a problem naming them) when required
    columns are missing or renamed. An absent optional column reads as empty."""
    titles = {str(value).strip(): index for index, value in enumerate(header) if value not in (None, "")}
    positions, missing = {}, []
    for column in columns:
        if column.header in titles:
            positions[column.key] = titles[column.header]
        elif column.required:
            missing.append(column.header)
        else:
            positions[column.key] = len(header) + 1000  # absent optional column: always empty
    if missing:
        problems.append(
            Problem(
                sheet=sheet,
                row=1,
                column=None,
                cell=None,
                code="missing_column",
                message=_("Columns missing or renamed: %(columns)s.") % {"columns": "、".join(missing)},
            )
        )
        return None
    return positions
