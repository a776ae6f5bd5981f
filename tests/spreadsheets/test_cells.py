"""Typed cell reading shared by the imports: values typed, problems named by sheet, row and column."""

from datetime import date
from decimal import Decimal

from renovation.spreadsheets.cells import CellError, Column, RowCells, header_positions

COLUMNS = (
    Column("name", "名称", "text"),
    Column("amount", "金额（元）", "money"),
    Column("day", "日期", "date", required=False),
    Column("side", "方向", "side", required=False),
)
BY_KEY = {column.key: column for column in COLUMNS}


def _row(values: tuple, problems: list, **kwargs) -> RowCells:
    positions = header_positions("流水", ("名称", "金额（元）", "日期", "方向"), COLUMNS, problems)
    return RowCells("流水", 7, positions, values, problems, **kwargs)


def test_it_reads_typed_values():
    problems = []
    row = _row(("  飞云花园 ", "1,200.5", "2026/03/01"), problems)
    assert row.read(COLUMNS[0]) == "飞云花园"
    assert row.read(COLUMNS[1]) == Decimal("1200.50")
    assert row.read(COLUMNS[2]) == date(2026, 3, 1)
    assert problems == []


def test_it_names_the_sheet_row_and_column_of_each_problem():
    problems = []
    row = _row((None, "abc", "not a date"), problems)
    assert [row.read(column) for column in COLUMNS[:3]] == [None, None, None]
    assert [(p.sheet, p.row, p.column, p.cell, p.code) for p in problems] == [
        ("流水", 7, "A 名称", "A7", "required"),
        ("流水", 7, "B 金额（元）", "B7", "number"),
        ("流水", 7, "C 日期", "C7", "date"),
    ]
    assert problems[0].message == "此单元格为必填项。"  # the shared label, in the default language


def test_it_uses_the_imports_own_readers_and_labels_by_key():
    def side(value):
        if value not in ("收入", "支出"):
            raise CellError("side")
        return value

    problems = []
    row = _row(("甲", 1, None, "借"), problems, readers={"side": side}, labels={"side": "写收入或支出"}, by_key=BY_KEY)
    assert row.read("side") is None
    assert problems[-1].message == "写收入或支出"
    assert problems[-1].cell == "D7"


def test_it_names_missing_or_renamed_columns_and_reads_absent_optional_ones_as_empty():
    problems = []
    assert header_positions("流水", ("名称",), COLUMNS, problems) is None
    assert problems[0].code == "missing_column" and "金额（元）" in problems[0].message
    assert "日期" not in problems[0].message
    positions = header_positions("流水", ("名称", "金额（元）"), COLUMNS, [])
    assert RowCells("流水", 2, positions, ("甲", 1), []).raw(COLUMNS[2]) is None
