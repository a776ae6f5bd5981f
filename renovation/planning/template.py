"""The downloadable annual plan template: both sheets with their headers, example rows (skipped
on import), drop-down lists for street and category, and a sheet of notes."""

from __future__ import annotations

import io
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from renovation.places.models import Street
from renovation.spreadsheets.cells import Column
from renovation.spreadsheets.template import template_sheet

from .columns import NOTES_SHEET, PROJECT_COLUMNS, PROJECT_SHEET, WORK_ITEM_COLUMNS, WORK_ITEM_SHEET
from .reading import CATEGORY_NAMES_ZH, EXAMPLE_PREFIX

LIST_SHEET = "下拉选项"
MAX_ROWS = 5000


def _list_validation(sheet_title: str, columns: tuple[Column, ...], kind: str, source: str, workbook: Workbook) -> None:
    sheet = workbook[sheet_title]
    for index, column in enumerate(columns, start=1):
        if column.kind == kind:
            letter = get_column_letter(index)
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
            validation.error = _("Choose a value from the list.")
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS}")


def plan_template() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    streets = list(Street.objects.order_by("sort_order", "name").values_list("name", flat=True))
    year = date.today().year
    street = streets[0] if streets else "安阳街道"
    template_sheet(
        workbook,
        PROJECT_SHEET,
        PROJECT_COLUMNS,
        [
            [
                f"{EXAMPLE_PREFIX}-{year}-01",
                street,
                "虹桥社区",
                "兴业大厦",
                1996,
                168,
                year,
                800000,
                300000,
                600000,
                200000,
                0,
                date(year, 3, 1),
                date(year, 11, 30),
                27.783012,
                120.641876,
            ]
        ],
    )
    template_sheet(
        workbook,
        WORK_ITEM_SHEET,
        WORK_ITEM_COLUMNS,
        [
            [f"{EXAMPLE_PREFIX}-{year}-01", "建筑", "外立面整治及屋面防水", 5200, "m²", 1200000],
            [f"{EXAMPLE_PREFIX}-{year}-01", "社区治理和服务体系", "智慧安防及监控升级", 1, "套", 700000],
        ],
    )
    lists = workbook.create_sheet(LIST_SHEET)
    for row, name in enumerate(streets, start=1):
        lists.cell(row=row, column=1, value=name)
    for row, name in enumerate(CATEGORY_NAMES_ZH, start=1):
        lists.cell(row=row, column=2, value=name)
    lists.sheet_state = "hidden"
    if streets:
        _list_validation(PROJECT_SHEET, PROJECT_COLUMNS, "street", f"'{LIST_SHEET}'!$A$1:$A${len(streets)}", workbook)
    _list_validation(
        WORK_ITEM_SHEET, WORK_ITEM_COLUMNS, "category", f"'{LIST_SHEET}'!$B$1:$B${len(CATEGORY_NAMES_ZH)}", workbook
    )
    notes = workbook.create_sheet(NOTES_SHEET, 0)
    for line in _notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=14)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _notes() -> list[str]:
    return [
        _("Annual renovation plan: import template"),
        "",
        _("1. Fill in the sheet “项目” (one row per project) and the sheet “改造内容” (one row per work item)."),
        _("2. Do not rename the sheets or the column headers. Headers in red must be filled in."),
        _("3. Rows whose project code starts with “示例” are examples and are skipped; delete or overwrite them."),
        _("4. Street and category come from the drop-down lists; categories may also be written in English."),
        _("5. Amounts are in yuan, without units. Dates as 2024-03-01."),
        _("6. The project code identifies a project: importing the same code again updates that project."),
        _("7. If any cell is wrong, nothing is imported: you get the list and your workbook with the cells marked."),
        _(
            "8. Latitude and longitude (optional) place a new estate on the public map: WGS-84 degrees as a phone's "
            "GPS or 天地图 shows them, e.g. 27.783012 and 120.641876; both or neither."
        ),
    ]
