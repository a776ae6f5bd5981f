"""Read and check the annual plan workbook row by row, before anything is written.

The cell readers, header check and problems are the shared ``renovation.spreadsheets.cells``;
what is the plan's own lives here: its sheets, the street and category cells, the cross-checks.

The result is either a clean plan (typed rows) or the complete list of problems, each with its
sheet, row, column and what is wrong, so staff can fix everything in one go.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from renovation.places.coordinates import CHINA_LATITUDE, CHINA_LONGITUDE
from renovation.places.models import Street
from renovation.projects.models import WorkCategory
from renovation.spreadsheets.cells import (
    EXAMPLE_PREFIX,
    READERS,
    CellError,
    CellReader,
    Column,
    Problem,
    RowCells,
    header_positions,
)

from .columns import PROBLEM_LABELS, PROJECT_COLUMNS, PROJECT_SHEET, SHEETS, WORK_ITEM_COLUMNS, WORK_ITEM_SHEET

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


@dataclass
class Plan:
    projects: list[dict[str, Any]] = field(default_factory=list)
    work_items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.projects) + len(self.work_items)


def _category(value: Any) -> str:
    key = str(value).strip()
    lookup = _CATEGORIES.get() or category_lookup()
    found = lookup.get(key) or lookup.get(key.lower())
    if found is None:
        raise CellError("unknown_category")
    return found


def _plan_readers(streets: dict[str, Street]) -> dict[str, CellReader]:
    """The shared cell readers plus the plan's own: a registered street, one of six categories."""

    def street(value: Any) -> Street:
        found = streets.get(str(value).strip())
        if found is None:
            raise CellError("unknown_street")
        return found

    return {**READERS, "category": _category, "street": street, "latitude": _latitude, "longitude": _longitude}


def _degrees(value: Any, bounds: tuple[Decimal, Decimal], code: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise CellError(code) from error
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        raise CellError(code)
    return number.quantize(Decimal("0.000001"))


def _latitude(value: Any) -> Decimal:
    return _degrees(value, CHINA_LATITUDE, "latitude")


def _longitude(value: Any) -> Decimal:
    return _degrees(value, CHINA_LONGITUDE, "longitude")


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
    readers = _plan_readers(streets)
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
                cells = RowCells(
                    sheet_name, row_number, positions, values, plan.problems, readers=readers, labels=PROBLEM_LABELS
                )
                record = {column.key: cells.read(column) for column in columns}
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
        latitude, longitude = record.get("latitude"), record.get("longitude")
        if (latitude is None) != (longitude is None) and not _position_unreadable(plan, record):
            missing = PROJECT_COLUMNS[15] if latitude is not None else PROJECT_COLUMNS[14]
            _row_problem(plan, PROJECT_SHEET, record, missing, "half_position")
    items_seen: set[tuple] = set()
    for record in plan.work_items:
        code = record.get("project_code")
        if code and code not in seen and code not in known:
            _row_problem(plan, WORK_ITEM_SHEET, record, WORK_ITEM_COLUMNS[0], "unknown_project")
        key = (code, record.get("category"), record.get("description"))
        if all(key) and key in items_seen:
            _row_problem(plan, WORK_ITEM_SHEET, record, WORK_ITEM_COLUMNS[2], "duplicate_item")
        items_seen.add(key)


def _position_unreadable(plan: Plan, record: dict[str, Any]) -> bool:
    """A position cell already refused (out of range, not a number): say that, not "half a position"."""
    return any(
        problem.sheet == PROJECT_SHEET and problem.row == record["_row"] and problem.code in ("latitude", "longitude")
        for problem in plan.problems
    )


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
