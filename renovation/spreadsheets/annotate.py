"""The user's own workbook handed back with every bad cell marked (red fill and a comment) and a
first sheet, 错误清单, listing the problems: the same for every workbook import."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from .cells import Problem

BAD = PatternFill(start_color="FFFFC7CE", end_color="FFFFC7CE", fill_type="solid")
ERRORS_SHEET = "错误清单"


def annotated_copy(handle: IO[bytes], problems: Iterable[Problem], *, author: str) -> bytes:
    """``author`` names the import on each cell comment (e.g. “Plan import”)."""
    workbook = load_workbook(handle)  # full mode: keeps their formatting, lets us mark cells
    problems = list(problems)
    for problem in problems:
        if problem.cell and problem.sheet in workbook.sheetnames:
            cell = workbook[problem.sheet][problem.cell]
            cell.fill = BAD
            note = f"{cell.comment.text}\n{problem.message}" if cell.comment else problem.message
            cell.comment = Comment(note, author)
    if ERRORS_SHEET in workbook.sheetnames:
        del workbook[ERRORS_SHEET]
    sheet = workbook.create_sheet(ERRORS_SHEET, 0)
    sheet.append([_("Sheet"), _("Row"), _("Column"), _("Problem")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for problem in problems:
        sheet.append([problem.sheet, problem.row, problem.column, problem.message])
    for letter, width in zip("ABCD", (12, 8, 18, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
