import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from renovation.planning.columns import PROJECT_SHEET, WORK_ITEM_SHEET
from renovation.planning.template import plan_template


def plan_workbook(projects: list[list[Any]], items: list[list[Any]], *, drop_sheet: str | None = None) -> bytes:
    """A workbook made from the downloadable template, filled like staff would fill it."""
    workbook = load_workbook(io.BytesIO(plan_template()))
    for sheet_name, rows in ((PROJECT_SHEET, projects), (WORK_ITEM_SHEET, items)):
        sheet = workbook[sheet_name]
        for row in rows:
            sheet.append(row)
    if drop_sheet:
        del workbook[drop_sheet]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(content: bytes, name: str = "2024年改造计划.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def project_row(code: str, street: str = "安阳街道", neighbourhood: str = "新华小区", **overrides: Any) -> list[Any]:
    values = {
        "code": code,
        "street": street,
        "community": "虹桥社区",
        "neighbourhood": neighbourhood,
        "built_year": 1992,
        "households": 240,
        "plan_year": 2024,
        "central": 800000,
        "provincial": 200000,
        "city": 500000,
        "resident": 100000,
        "other": 0,
        "start": "2024-03-01",
        "end": "2024-11-30",
    }
    values.update(overrides)
    return list(values.values())


def item_row(code: str, category: str = "建筑", description: str = "外立面整治", budget: Any = 500000) -> list[Any]:
    return [code, category, description, 1200, "m²", budget]


def zipped(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return output.getvalue()


@pytest.fixture
def anyang(personas):
    return personas.street_a_place.community.street
