"""The workbook file checks: each refusal names the file and the import it belongs to (never the
plan on the household or bank imports), before openpyxl reads a byte."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from renovation.consultation.services import household_import_start
from renovation.finance.services import ledger_statement_import_start
from renovation.planning.services import plan_import_start
from renovation.spreadsheets.files import check_workbook_file
from tests.factories import ProjectFactory
from tests.planning.conftest import zipped

MACROS = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"\0" * 10})
BOMB = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/bomb.xml": b"0" * 30_000_000})
REFUSED = [
    (b"just text, renamed", "not_a_workbook"),
    (zipped({"readme.txt": b"hello"}), "not_a_workbook"),
    (MACROS, "macros"),
    (BOMB, "zip_bomb"),
]


def _refusal(content: bytes, *, purpose: str = "bank statement", size: int | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        check_workbook_file(
            io.BytesIO(content), name="流水.xlsx", size=len(content) if size is None else size, purpose=purpose
        )
    return error.value


@pytest.mark.parametrize("content, code", REFUSED)
def test_it_names_the_file_and_the_import_in_every_refusal(content, code):
    with translation.override("en"):
        refusal = _refusal(content)
    assert refusal.code == code
    assert "流水.xlsx" in refusal.messages[0]
    assert "bank statement" in refusal.messages[0]
    assert "plan" not in refusal.messages[0]


def test_it_refuses_a_file_over_the_limit_naming_the_import(settings):
    settings.PLAN_IMPORT_MAX_BYTES = 1024 * 1024
    with translation.override("en"):
        refusal = _refusal(b"", purpose="household register", size=2 * 1024 * 1024)
    assert refusal.code == "too_large"
    assert refusal.messages[0] == "“流水.xlsx” is larger than 1 MB, the limit for household register workbooks."


def test_it_leaves_the_handle_at_the_start_for_the_reader():
    handle = io.BytesIO(MACROS)
    with pytest.raises(ValidationError, match="含有宏"):
        check_workbook_file(handle, name="x.xlsx", size=len(MACROS), purpose="annual plan")
    assert handle.tell() == 0


def test_the_household_import_calls_a_zip_bomb_a_household_register_not_a_plan(personas):
    with pytest.raises(ValidationError) as error:
        household_import_start(actor=personas.street_a, upload=SimpleUploadedFile("住户名册.xlsx", BOMB))
    assert error.value.code == "zip_bomb"
    assert error.value.messages[0] == "“住户名册.xlsx”解压后的数据量远超正常的住户名册工作簿，系统未予打开。"


def test_the_bank_import_calls_a_zip_bomb_a_bank_statement_not_a_plan(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    with pytest.raises(ValidationError) as error:
        ledger_statement_import_start(
            actor=personas.street_a, project=project, upload=SimpleUploadedFile("流水.xlsx", BOMB)
        )
    assert error.value.code == "zip_bomb"
    assert error.value.messages[0] == "“流水.xlsx”解压后的数据量远超正常的银行流水工作簿，系统未予打开。"


def test_the_plan_import_still_names_the_plan(personas):
    with pytest.raises(ValidationError) as error:
        plan_import_start(actor=personas.bureau, upload=SimpleUploadedFile("计划.xlsx", MACROS))
    assert error.value.messages[0] == (
        "“计划.xlsx”含有宏，无法作为年度计划导入。请另存为不含宏的普通“Excel 工作簿”（.xlsx）格式后重试。"
    )
