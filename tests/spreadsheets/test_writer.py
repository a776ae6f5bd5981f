"""The spreadsheet writer: every export gets a title row, frozen bold headers, widths, typed cells,
and no cell a spreadsheet would evaluate. Read back with openpyxl, as Excel would open it."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from renovation.reports.sheets import ledger_columns
from renovation.spreadsheets.writer import Column, Kind, ReportWorkbook, describe_filters, sheet_name, title_line
from tests.reports.conftest import beijing

COLUMNS = [
    Column("名称", Kind.TEXT, 30),
    Column("预算", Kind.MONEY, 18),
    Column("预算（万元）", Kind.WAN_YUAN, 14),
    Column("进度", Kind.PERCENT, 10),
    Column("开工", Kind.DATE, 12),
    Column("反映时间", Kind.DATETIME, 17),
    Column("户数", Kind.INTEGER, 8),
]


def _written(rows, columns=COLUMNS, *, frozen_columns=0):
    book = ReportWorkbook()
    sheet = book.add_sheet("台账", columns, title="项目台账 · 街道：安阳街道", frozen_columns=frozen_columns)
    sheet.extend(rows)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)["台账"]


def _row(**overrides):
    values = {
        "name": "飞云花园改造",
        "money": Decimal("1234567.80"),
        "wan": Decimal("2020000"),
        "percent": Decimal("42.50"),
        "day": date(2026, 3, 16),
        "moment": beijing(2026, 3, 16, 9, 30),
        "count": 483,
    }
    values.update(overrides)
    return list(values.values())


def test_it_writes_the_title_row_first():
    sheet = _written([_row()])
    assert sheet["A1"].value == "项目台账 · 街道：安阳街道"
    assert sheet["A1"].font.bold


def test_it_writes_bold_headers_on_a_filled_row():
    sheet = _written([_row()])
    assert [cell.value for cell in sheet[2]] == [column.header for column in COLUMNS]
    assert all(cell.font.bold for cell in sheet[2])
    assert all(cell.fill.fgColor.rgb.endswith("DCE6F1") for cell in sheet[2])


def test_it_freezes_the_panes_under_the_header():
    assert _written([_row()]).freeze_panes == "A3"


def test_it_freezes_leading_columns_when_asked():
    assert _written([_row()], frozen_columns=2).freeze_panes == "C3"


def test_it_sets_the_column_widths():
    sheet = _written([_row()])
    assert [sheet.column_dimensions[letter].width for letter in "ABCDEFG"] == [30, 18, 14, 10, 12, 17, 8]


def test_it_puts_a_filter_over_the_header_and_rows():
    assert _written([_row(), _row()]).auto_filter.ref == "A2:G4"


def test_it_formats_money_in_yuan_with_two_decimals():
    cell = _written([_row()])["B3"]
    assert cell.value == pytest.approx(1234567.80)
    assert cell.number_format == '#,##0.00 "元"'


def test_it_formats_money_with_the_yuan_sign_in_english():
    with translation.override("en"):
        cell = _written([_row()])["B3"]
    assert cell.number_format == '"¥"#,##0.00'


def test_it_writes_summaries_in_wan_yuan():
    cell = _written([_row()])["C3"]
    assert cell.value == pytest.approx(202)
    assert cell.number_format == '#,##0.00 "万元"'


def test_it_writes_percentages_as_fractions_shown_as_percent():
    cell = _written([_row()])["D3"]
    assert cell.value == pytest.approx(0.425)
    assert cell.number_format == "0.0%"


def test_it_writes_dates_as_dates():
    cell = _written([_row()])["E3"]
    assert cell.is_date
    assert cell.value == datetime(2026, 3, 16)
    assert cell.number_format == "yyyy-mm-dd"


def test_it_writes_times_in_beijing_time():
    utc_evening = datetime.fromisoformat("2026-03-16T16:30:00+00:00")  # 00:30 the next day in Beijing
    cell = _written([_row(moment=utc_evening)])["F3"]
    assert cell.is_date
    assert cell.value == datetime(2026, 3, 17, 0, 30)
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_it_writes_integers_as_numbers():
    cell = _written([_row()])["G3"]
    assert cell.value == 483
    assert cell.data_type == "n"


def test_it_leaves_missing_values_empty():
    sheet = _written([_row(money=None, day=None, name=None)])
    assert sheet["A3"].value is None
    assert sheet["B3"].value is None
    assert sheet["E3"].value is None


def test_it_keeps_each_rows_own_values_in_formatted_columns():
    sheet = _written([_row(money=Decimal("1"), day=date(2026, 1, 1)), _row(money=Decimal("2"), day=date(2026, 2, 1))])
    assert [sheet["B3"].value, sheet["B4"].value] == [1, 2]
    assert [sheet["E3"].value, sheet["E4"].value] == [datetime(2026, 1, 1), datetime(2026, 2, 1)]
    assert sheet["B4"].number_format == '#,##0.00 "元"'


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_it_never_writes_text_a_spreadsheet_would_evaluate(prefix):
    dangerous = f'{prefix}HYPERLINK("http://evil.example","点此")'
    sheet = _written([_row(name=dangerous)])
    cell = sheet["A3"]
    assert cell.data_type == "s"
    # Read back through XML, a carriage return arrives as a line feed; the apostrophe stays first.
    assert cell.value.startswith("'")
    assert cell.value[2:] == dangerous[1:]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_it_guards_the_title_and_headers_too():
    book = ReportWorkbook()
    book.add_sheet("x", [Column("=1+1")], title="=cmd|' /C calc'!A0")
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["x"]
    assert sheet["A1"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A1"].data_type == sheet["A2"].data_type == "s"


def test_it_drops_control_characters_a_workbook_cannot_hold():
    assert _written([_row(name="飞云\x00花园\x0b改造")])["A3"].value == "飞云花园改造"


def test_it_keeps_sheet_names_within_excels_rules():
    taken: set[str] = set()
    assert sheet_name("安阳/玉海[汇总]", taken) == "安阳 玉海 汇总"
    assert len(sheet_name("很长" * 20, taken)) == 31
    assert sheet_name("安阳/玉海[汇总]", taken) == "安阳 玉海 汇总 (2)"


def test_it_describes_the_filter_in_words():
    assert describe_filters([("街道", "安阳街道"), ("计划年度", 2026), ("状态", None)]) == describe_filters(
        [("街道", "安阳街道"), ("计划年度", 2026)]
    )
    assert "安阳街道" in describe_filters([("街道", "安阳街道")])
    with translation.override("en"):
        assert describe_filters([("Street", "Anyang"), ("Plan year", 2026)]) == "Street: Anyang; Plan year: 2026"


def test_it_dates_the_title_in_beijing_time():
    line = title_line("项目台账", "街道：安阳街道", when=datetime.fromisoformat("2026-11-22T17:05:00+00:00"))
    assert "2026-11-23 01:05" in line
    assert line.startswith("项目台账") and line.endswith("街道：安阳街道")


def test_it_writes_headers_in_english_when_the_language_is_english():
    with translation.override("en"):
        headers = [column.header for column in ledger_columns()]
    assert headers[:3] == ["Project code", "Project name", "Street"]
    assert "Plan year" in headers and "Progress (%)" in headers


def test_it_writes_headers_in_chinese_by_default():
    headers = [column.header for column in ledger_columns()]
    assert headers[:3] == ["项目编号", "项目名称", "街道"]
    assert "计划年度" in headers and "进度（%）" in headers
