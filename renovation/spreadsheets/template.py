"""Downloadable import templates: a sheet with the import's headers (required ones in red),
widths, example rows in grey italics (skipped on import) and the header row frozen."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .cells import Column

HEADER_FILL = PatternFill(start_color="FFDCE6F1", end_color="FFDCE6F1", fill_type="solid")
EXAMPLE_FONT = Font(italic=True, color="FF808080")


def template_sheet(workbook: Workbook, title: str, columns: tuple[Column, ...], examples: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([column.header for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFC00000" if column.required else "FF000000")
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for example in examples:
        sheet.append(example)
        for cell in sheet[sheet.max_row]:
            cell.font = EXAMPLE_FONT
    sheet.freeze_panes = "A2"
