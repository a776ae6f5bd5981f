"""A small spreadsheet writer on openpyxl's write-only mode, so every export looks finished.

Each sheet gets a title row (report, when it was generated in Beijing time, the filter in words), a
bold header row, panes frozen under the header, column widths, and typed cells: money in yuan
(元, two decimals) or 万元, percentages, real dates. Text that a spreadsheet would evaluate
(formula injection) is written with a leading apostrophe.

Write-only mode serialises each row to a temporary file the moment it is appended, so memory stays
flat however many rows there are; everything about a sheet's layout (frozen panes, widths) has to
be set before the first row.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_FORMATS
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these is a formula (or becomes one) in Excel, WPS or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TITLE_ROW, _HEADER_ROW = 1, 2


class Kind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"  # counts and years, as plain numbers
    NUMBER = "number"  # a measured quantity, two decimals (floor area)
    ONE_DECIMAL = "one_decimal"  # hours, days
    MONEY = "money"  # yuan, two decimals
    WAN_YUAN = "wan_yuan"  # yuan in, 万元 out (value / 10,000)
    PERCENT = "percent"  # 0-100 in, a percentage cell out (value / 100)
    DATE = "date"
    DATETIME = "datetime"  # aware datetimes, shown in Beijing time


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header (already translated), what it holds, its width."""

    header: str
    kind: Kind = Kind.TEXT
    width: float = 12


def _number_formats() -> dict[Kind, str]:
    """Chinese readers expect the unit after the number; English readers a currency sign."""
    chinese = (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")
    # Integers need no format: "General" shows them as they are, and an unstyled cell is cheaper.
    return {
        Kind.NUMBER: "#,##0.00",
        Kind.ONE_DECIMAL: "0.0",
        Kind.MONEY: '#,##0.00 "元"' if chinese else '"¥"#,##0.00',
        Kind.WAN_YUAN: '#,##0.00 "万元"' if chinese else '#,##0.00 "× 10k yuan"',
        Kind.PERCENT: "0.0%",
        Kind.DATE: "yyyy-mm-dd",
        Kind.DATETIME: "yyyy-mm-dd hh:mm",
    }


def report_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def safe_text(value: str) -> str:
    """Text as a spreadsheet must show it, never evaluate it (OWASP "CSV injection" advice)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local_naive(value: datetime) -> datetime:
    # Spreadsheets have no time zones: write the wall-clock time in Beijing.
    if value.tzinfo is not None:
        value = value.astimezone(report_zone()).replace(tzinfo=None)
    return value


def _converter(kind: Kind) -> Callable[[Any], Any] | None:
    if kind is Kind.PERCENT:
        return lambda value: value / 100
    if kind is Kind.WAN_YUAN:
        return lambda value: value / 10000
    if kind is Kind.DATETIME:
        return lambda value: _local_naive(value) if isinstance(value, datetime) else value
    return None


def _native(kind: Kind, number_format: str) -> bool:
    """openpyxl formats a bare date as yyyy-mm-dd by itself; passing the plain value skips the
    styled-cell path, which costs several times a plain cell (most of a ledger row is styled)."""
    return kind is Kind.DATE and TIME_FORMATS.get(date) == number_format


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name; names must be unique."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip()[:31] or "Sheet"
    candidate, counter = base, 2
    while candidate.lower() in taken:
        suffix = f" ({counter})"
        candidate = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(candidate.lower())
    return candidate


class Sheet:
    """One worksheet: title and header are written on creation, then rows, one at a time."""

    def __init__(self, workbook: ReportWorkbook, name: str, columns: Sequence[Column], *, title: str, frozen: int):
        self.columns = list(columns)
        self.rows_written = 0
        self._ws = workbook.book.create_sheet(name)
        ws = self._ws
        formats = workbook.formats
        # Layout first: write-only sheets emit these before the first row.
        ws.freeze_panes = f"{get_column_letter(frozen + 1)}{_HEADER_ROW + 1}"
        for index, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.print_title_rows = f"{_TITLE_ROW}:{_HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = 0

        title_cell = WriteOnlyCell(ws, safe_text(title))
        title_cell.font = Font(bold=True, size=13)
        ws.append([title_cell])
        ws.append([self._header_cell(column.header) for column in self.columns])

        # One styled cell per column, reused for every row: a write-only sheet serialises the
        # whole row during append(), so the style is resolved once per column, not per value.
        self._templates: list[WriteOnlyCell | None] = []
        for column in self.columns:
            number_format = formats.get(column.kind)
            template = None
            if number_format is not None and not _native(column.kind, number_format):
                template = WriteOnlyCell(ws)
                template.number_format = number_format
            self._templates.append(template)
        self._converters = [_converter(column.kind) for column in self.columns]

    def _header_cell(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws=self._ws, value=safe_text(str(text)))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=Side(style="thin", color="7F7F7F"))
        return cell

    def append(self, values: Sequence[Any]) -> None:
        """Write one row; values come in column order, None leaves the cell empty."""
        cells: list[Any] = []
        for value, template, convert in zip(values, self._templates, self._converters, strict=True):
            if value is None:
                cells.append(None)
                continue
            if isinstance(value, str):
                cells.append(safe_text(value))
                continue
            if convert is not None:
                value = convert(value)
            if template is None:
                cells.append(value)
            else:
                template.value = value
                cells.append(template)
        self._ws.append(cells)
        self.rows_written += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)

    def finish(self) -> None:
        # The filter range is written after the rows, so it can cover exactly the rows written.
        last_row = _HEADER_ROW + max(self.rows_written, 1)
        self._ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(self.columns))}{last_row}"


class ReportWorkbook:
    """A workbook of report sheets; formats follow the language active when it is created."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self.formats = _number_formats()
        self._sheets: list[Sheet] = []
        self._names: set[str] = set()

    def add_sheet(self, name: str, columns: Sequence[Column], *, title: str, frozen_columns: int = 0) -> Sheet:
        sheet = Sheet(self, sheet_name(name, self._names), columns, title=title, frozen=frozen_columns)
        self._sheets.append(sheet)
        return sheet

    def save(self, target: IO[bytes]) -> None:
        for sheet in self._sheets:
            sheet.finish()
        self.book.save(target)


def generated_at() -> datetime:
    return datetime.now(tz=report_zone())


def title_line(report: str, filters: str, when: datetime | None = None) -> str:
    """The first row of a sheet, e.g. 项目台账 · 生成于 2026-11-23 14:05（北京时间）· 街道：安阳街道."""
    moment = (when or generated_at()).astimezone(report_zone())
    return _("%(report)s · generated %(when)s (Beijing time) · %(filters)s") % {
        "report": report,
        "when": moment.strftime("%Y-%m-%d %H:%M"),
        "filters": filters,
    }


def describe_filters(parts: Iterable[tuple[str, Any]]) -> str:
    """[("Street", "安阳街道"), ("Plan year", 2026)] → "Street: 安阳街道; Plan year: 2026"."""
    words = [
        _("%(label)s: %(value)s") % {"label": label, "value": value}
        for label, value in parts
        if value not in (None, "")
    ]
    # Translators: separates the filters in a report's title row.
    return _("; ").join(words) if words else _("no filter (everything you may see)")
