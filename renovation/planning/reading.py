"""Read and check the annual plan workbook row by row, before anything is written.

The result is either a clean plan (typed rows) or the complete list of problems, each with its
sheet, row, column and what is wrong, so staff can fix everything in one go.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from renovation.places.models import Street
from renovation.projects.models import WorkCategory

from .columns import PROBLEM_LABELS, PROJECT_COLUMNS, PROJECT_SHEET, SHEETS, WORK_ITEM_COLUMNS, WORK_ITEM_SHEET, Column

EXAMPLE_PREFIX = "示例"
# The category names for the file being read, worked out once per file.
_CATEGORIES: ContextVar[dict[str, str] | None] = ContextVar("plan_categories", default=None)
# The Chinese names of DESIGN.md's six categories, accepted beside the English ones and the codes.
CATEGORY_NAMES_ZH = {
    "建筑": WorkCategory.BUILDING,
    "道路交通和停车": WorkCategory.ROADS,
    "管网通信系统": WorkCategory.NETWORKS,
    "景观绿化": WorkCategory.GREENING,
    "养老托育服务设施": WorkCategory.CARE,
    "社区治理和服务体系": WorkCategory.GOVERNANCE,
}


def category_lookup() -> dict[str, str]:
    """Chinese names, English names (whatever the active language) and codes, lower-cased."""
    lookup = dict(CATEGORY_NAMES_ZH)
    lookup.update({value: value for value in WorkCategory.values})
    lookup.update({str(label).lower(): value for value, label in WorkCategory.choices})
    with translation.override("en"):
        lookup.update({str(label).lower(): value for value, label in WorkCategory.choices})
    return lookup


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


@dataclass
class Plan:
    projects: list[dict[str, Any]] = field(default_factory=list)
    work_items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.projects) + len(self.work_items)


class RowCells:
    """Typed reading of one row, collecting problems instead of raising (shared with other imports)."""

    def __init__(self, sheet: str, row_number: int, positions: dict[str, int], values: tuple, problems: list[Problem]):
        self.sheet, self.row_number, self.positions, self.values, self.problems = (
            sheet,
            row_number,
            positions,
            values,
            problems,
        )

    def problem(self, column: Column, code: str, message: str | None = None) -> None:
        index = self.positions[column.key]
        letter = get_column_letter(index + 1)
        self.problems.append(
            Problem(
                sheet=self.sheet,
                row=self.row_number,
                column=f"{letter} {column.header}",
                cell=f"{letter}{self.row_number}",
                code=code,
                message=str(message or PROBLEM_LABELS[code]),
            )
        )

    def raw(self, column: Column) -> Any:
        index = self.positions.get(column.key)
        value = self.values[index] if index is not None and index < len(self.values) else None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def read(self, column: Column, streets: dict[str, Street]) -> Any:
        value = self.raw(column)
        if value is None:
            if column.required:
                self.problem(column, "required")
            return None
        try:
            return _CONVERTERS[column.kind](value, streets)
        except _Invalid as invalid:
            self.problem(column, invalid.code)
            return None


class _Invalid(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _text(value: Any, _streets: Any) -> str:
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if len(text) > 200:
        raise _Invalid("too_long")
    return text


def _int(value: Any, _streets: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid("whole_number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise _Invalid("whole_number") from error
    if number != number.to_integral_value():
        raise _Invalid("whole_number")
    if number < 0:
        raise _Invalid("negative")
    return int(number)


MONEY_LIMIT = Decimal(10) ** 12


def _money(value: Any, _streets: Any) -> Decimal:
    if isinstance(value, bool):
        raise _Invalid("number")
    try:
        number = Decimal(str(value).replace(",", "").replace("，", ""))
    except InvalidOperation as error:
        raise _Invalid("number") from error
    if not number.is_finite():
        raise _Invalid("number")
    if number < 0:
        raise _Invalid("negative")
    # Money columns hold 14 digits with 2 decimals: a larger figure is a typing error, and the
    # database would refuse it (or quantize would raise) long after the checks said "valid".
    if number >= MONEY_LIMIT:
        raise _Invalid("too_large")
    return number.quantize(Decimal("0.01"))


def _date(value: Any, _streets: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise _Invalid("date") from error


def _category(value: Any, _streets: Any) -> str:
    key = str(value).strip()
    lookup = _CATEGORIES.get() or category_lookup()
    found = lookup.get(key) or lookup.get(key.lower())
    if found is None:
        raise _Invalid("unknown_category")
    return found


def _street(value: Any, streets: dict[str, Street]) -> Street:
    street = streets.get(str(value).strip())
    if street is None:
        raise _Invalid("unknown_street")
    return street


_CONVERTERS: dict[str, Callable[[Any, Any], Any]] = {
    "text": _text,
    "int": _int,
    "money": _money,
    "date": _date,
    "category": _category,
    "street": _street,
}


def read_plan(
    handle: IO[bytes], *, known_project_codes: Iterable[str], progress: Callable[[int], None] | None = None
) -> Plan:
    """Check every row of both sheets; ``known_project_codes`` are the codes already in the system."""
    streets: dict[str, Street] = {}
    for street in Street.objects.all():
        streets[street.name] = street
        streets[street.code] = street
    known = set(known_project_codes)
    token = _CATEGORIES.set(category_lookup())
    plan = Plan()
    workbook = load_workbook(handle, read_only=True, data_only=True)
    try:
        for sheet_name in SHEETS:
            if sheet_name not in workbook.sheetnames:
                plan.problems.append(
                    Problem(
                        sheet=sheet_name,
                        row=None,
                        column=None,
                        cell=None,
                        code="missing_sheet",
                        message=_missing_sheet_message(sheet_name, workbook.sheetnames),
                    )
                )
        if plan.problems:
            return plan
        last_report = time.monotonic()
        done = 0
        for sheet_name, columns in SHEETS.items():
            rows = workbook[sheet_name].iter_rows(values_only=True)
            header = next(rows, None) or ()
            positions = header_positions(sheet_name, header, columns, plan.problems)
            if positions is None:
                continue
            plan.positions[sheet_name] = positions
            target = plan.projects if sheet_name == PROJECT_SHEET else plan.work_items
            for row_number, values in enumerate(rows, start=2):
                if not any(value not in (None, "") for value in values):
                    continue
                first = values[positions[columns[0].key]] if positions[columns[0].key] < len(values) else None
                if isinstance(first, str) and first.strip().startswith(EXAMPLE_PREFIX):
                    continue
                cells = RowCells(sheet_name, row_number, positions, values, plan.problems)
                record = {column.key: cells.read(column, streets) for column in columns}
                record["_row"] = row_number
                target.append(record)
                done += 1
                if progress and time.monotonic() - last_report > 1:
                    progress(done)
                    last_report = time.monotonic()
    finally:
        workbook.close()
        _CATEGORIES.reset(token)
    _cross_checks(plan, known)
    return plan


def _missing_sheet_message(sheet: str, present: list[str]) -> str:
    return _("The sheet “%(sheet)s” is missing (the workbook has: %(present)s). Use the template’s sheet names.") % {
        "sheet": sheet,
        "present": "、".join(present) or "—",
    }


def header_positions(
    sheet: str, header: tuple, columns: tuple[Column, ...], problems: list[Problem]
) -> dict[str, int] | None:
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


def _cross_checks(plan: Plan, known: set[str]) -> None:
    seen: dict[str, int] = {}
    for record in plan.projects:
        code = record.get("code")
        if code:
            if code in seen:
                _row_problem(plan, PROJECT_SHEET, record, PROJECT_COLUMNS[0], "duplicate_code")
            seen[code] = record["_row"]
        start, end = record.get("planned_start"), record.get("planned_end")
        if start and end and end < start:
            _row_problem(plan, PROJECT_SHEET, record, PROJECT_COLUMNS[13], "end_before_start")
        year = record.get("plan_year")
        if year is not None and not 1900 <= year <= 2100:
            _row_problem(plan, PROJECT_SHEET, record, PROJECT_COLUMNS[6], "year")
        built = record.get("built_year")
        if built is not None and not 1900 <= built <= 2100:
            _row_problem(plan, PROJECT_SHEET, record, PROJECT_COLUMNS[4], "year")
    items_seen: set[tuple] = set()
    for record in plan.work_items:
        code = record.get("project_code")
        if code and code not in seen and code not in known:
            _row_problem(plan, WORK_ITEM_SHEET, record, WORK_ITEM_COLUMNS[0], "unknown_project")
        key = (code, record.get("category"), record.get("description"))
        if all(key) and key in items_seen:
            _row_problem(plan, WORK_ITEM_SHEET, record, WORK_ITEM_COLUMNS[2], "duplicate_item")
        items_seen.add(key)


def _row_problem(plan: Plan, sheet: str, record: dict[str, Any], column: Column, code: str) -> None:
    letter = get_column_letter(plan.positions[sheet][column.key] + 1)
    plan.problems.append(
        Problem(
            sheet=sheet,
            row=record["_row"],
            column=f"{letter} {column.header}",
            cell=f"{letter}{record['_row']}",
            code=code,
            message=str(PROBLEM_LABELS[code]),
        )
    )


# Typed cell readers shared with the other workbook imports (the finance bank statement): each
# returns the value or raises ``CellError`` whose ``code`` is a key of ``PROBLEM_LABELS``.
CellError = _Invalid


def read_text_cell(value: Any) -> str:
    return _text(value, None)


def read_money_cell(value: Any) -> Decimal:
    return _money(value, None)


def read_date_cell(value: Any) -> date:
    return _date(value, None)
