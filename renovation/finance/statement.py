"""The bank agent's statement workbook: its columns, the downloadable template, and reading it
row by row before anything is written.

The bank reference (银行流水号) identifies a transaction: a row whose reference is already in the
project's ledger is reported as already recorded and skipped, so importing the same statement
twice adds nothing twice. Any problem in any row and nothing is imported.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from renovation.figures import format_yuan
from renovation.spreadsheets.cells import (
    CellError,
    Column,
    Problem,
    RowCells,
    header_positions,
    read_date_cell,
    read_money_cell,
    read_text_cell,
)
from renovation.spreadsheets.template import EXAMPLE_FONT, HEADER_FILL

from .models import EntryKind, IncomeSource, LedgerEntry
from .rules import PHONE_NUMBER, overrun_message
from .selectors import ContractPosition

SHEET = "银行流水"
NOTES_SHEET = "填写说明"
EXAMPLE_PREFIX = "示例"
COLUMNS = (
    Column("booked_on", "日期", "date", width=12),
    Column("kind", "收支方向", "kind", width=10),
    Column("amount", "金额（元）", "money", width=16),
    Column("counterparty", "对方单位", "text", width=26),
    Column("purpose", "用途", "text", width=26),
    Column("bank_reference", "银行流水号", "text", width=22),
    Column("invoice_number", "发票号", "text", required=False, width=16),
    Column("contract", "合同编号", "text", required=False, width=14),
    Column("source", "资金来源", "source", required=False, width=12),
)
BY_KEY = {column.key: column for column in COLUMNS}
KIND_NAMES = {"收入": EntryKind.INCOME, "收": EntryKind.INCOME, "支出": EntryKind.PAYMENT, "支": EntryKind.PAYMENT}
SOURCE_NAMES = {
    "中央补助": "central",
    "省级补助": "provincial",
    "市级配套": "city",
    "居民出资": "resident",
    "其他资金": "other",
}

TEXT_LIMITS = {
    key: LedgerEntry._meta.get_field(key).max_length
    for key in ("counterparty", "purpose", "bank_reference", "invoice_number")
}
STATEMENT_PROBLEMS = {
    "kind": gettext_lazy("Write 收入 (income) or 支出 (payment)."),
    "not_positive": gettext_lazy("The amount must be more than zero."),
    "future": gettext_lazy("The date is in the future."),
    "unknown_source": gettext_lazy("Use one of 中央补助, 省级补助, 市级配套, 居民出资, 其他资金."),
    "source_required": gettext_lazy("Income needs its source of funds."),
    "unknown_contract": gettext_lazy("No contract with this number in this project."),
    "contract_on_income": gettext_lazy("Only payments are made on a contract."),
    "duplicate_reference": gettext_lazy("This bank reference appears more than once in the statement."),
    "phone_number": gettext_lazy("Do not enter phone numbers: the ledger is published."),
}


def _lookup(names: dict[str, str], choices: Any) -> dict[str, str]:
    lookup = dict(names)
    lookup.update({value: value for value in choices.values})
    lookup.update({str(label).lower(): value for value, label in choices.choices})
    return lookup


@dataclass
class Statement:
    rows: list[dict[str, Any]] = field(default_factory=list)  # new entries, typed
    already_recorded: list[tuple[int, str]] = field(default_factory=list)  # (row, bank reference)
    problems: list[Problem] = field(default_factory=list)


def _choice(lookup: dict[str, str], code: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        key = str(value).strip()
        found = lookup.get(key) or lookup.get(key.lower())
        if found is None:
            raise CellError(code)
        return found

    return convert


def read_statement(
    handle: IO[bytes],
    *,
    positions_by_number: dict[str, tuple[int, ContractPosition]],
    known_references: dict[str, tuple[str, Decimal, date]],
    locked_until: date | None,
) -> Statement:
    """Check every row; ``positions_by_number``: the project's contracts by number (id, position)."""
    statement = Statement()
    workbook = load_workbook(handle, read_only=True, data_only=True)
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        positions = header_positions(SHEET, next(rows, None) or (), COLUMNS, statement.problems)
        if positions is None:
            return statement
        for number, values in enumerate(rows, start=2):
            if any(value not in (None, "") for value in values):
                row = RowCells(
                    SHEET, number, positions, values, statement.problems, labels=STATEMENT_PROBLEMS, by_key=BY_KEY
                )
                _read_row(row, statement, positions_by_number)
    finally:
        workbook.close()
    _cross_checks(statement, positions, positions_by_number, known_references, locked_until)
    return statement


def _read_row(row: RowCells, statement: Statement, contracts: dict[str, tuple[int, ContractPosition]]) -> None:
    reference = row.raw("bank_reference")
    if isinstance(reference, str) and reference.startswith(EXAMPLE_PREFIX):
        return
    record = {
        "booked_on": row.read("booked_on", read_date_cell),
        "kind": row.read("kind", _choice(_lookup(KIND_NAMES, EntryKind), "kind")),
        "amount": row.read("amount", read_money_cell),
        "counterparty": row.read("counterparty", read_text_cell),
        "purpose": row.read("purpose", read_text_cell),
        "bank_reference": row.read("bank_reference", read_text_cell),
        "invoice_number": row.read("invoice_number", read_text_cell) or "",
        "contract": row.read("contract", read_text_cell),
        "source": row.read("source", _choice(_lookup(SOURCE_NAMES, IncomeSource), "unknown_source")),
        "_row": row.row_number,
        "_check": row,
    }
    for key in TEXT_LIMITS:
        if record[key] and len(record[key]) > TEXT_LIMITS[key]:
            row.problem(key, "too_long")
    if record["amount"] is not None and record["amount"] == 0:
        row.problem("amount", "not_positive")
    if record["booked_on"] and record["booked_on"] > timezone.localdate():
        row.problem("booked_on", "future")
    for key in ("counterparty", "purpose"):
        if record[key] and PHONE_NUMBER.search(record[key]):
            row.problem(key, "phone_number")
    if record["kind"] == EntryKind.INCOME:
        if record["contract"]:
            row.problem("contract", "contract_on_income")
        if record["source"] is None and row.raw("source") is None:
            row.problem("source", "source_required")
    elif record["kind"] == EntryKind.PAYMENT:
        record["source"] = ""
        if record["contract"] and record["contract"] not in contracts:
            row.problem("contract", "unknown_contract")
    statement.rows.append(record)


def _cross_checks(
    statement: Statement,
    positions: dict[str, int],
    contracts: dict[str, tuple[int, ContractPosition]],
    known_references: dict[str, tuple[str, Decimal, date]],
    locked_until: date | None,
) -> None:
    """Duplicates within the file, rows already recorded, disclosed quarters, and payments on each
    contract added up in file order against what the contract allows."""
    seen: set[str] = set()
    pending: dict[str, Decimal] = {}
    new_rows = []
    for record in statement.rows:
        row: RowCells = record.pop("_check")
        reference = record["bank_reference"]
        if reference and reference in seen:
            row.problem("bank_reference", "duplicate_reference")
            continue
        if reference:
            seen.add(reference)
        if reference in known_references:
            kind, amount, booked_on = known_references[reference]
            if (kind, amount, booked_on) != (record["kind"], record["amount"], record["booked_on"]):
                # The same transaction with other figures: the ledger or the file is wrong, and
                # skipping it silently would hide that. A correction is the way to change it.
                row.problem("bank_reference", "recorded_differently", _recorded_differently(kind, amount, booked_on))
            else:
                statement.already_recorded.append((record["_row"], reference))
            continue
        if locked_until and record["booked_on"] and record["booked_on"] <= locked_until:
            row.problem(
                "booked_on",
                "locked",
                _("The ledger of this project is disclosed up to %(date)s; this row falls inside it.")
                % {"date": locked_until.isoformat()},
            )
        number, amount = record["contract"], record["amount"]
        if record["kind"] == EntryKind.PAYMENT and number in contracts and amount:
            _contract_id, position = contracts[number]
            already = pending.get(number, Decimal("0"))
            if position.paid + already + amount > position.ceiling:
                row.problem("amount", "overrun", overrun_message(position, amount, already))
            pending[number] = already + amount
        new_rows.append(record)
    statement.rows = new_rows


def _recorded_differently(kind: str, amount: Decimal, booked_on: date) -> str:
    return _(
        "This bank reference is already recorded with other figures (%(kind)s %(amount)s on %(date)s). "
        "If the ledger is wrong, record a correction; otherwise fix the row."
    ) % {"kind": EntryKind(kind).label, "amount": format_yuan(amount), "date": booked_on.isoformat()}


# --- the template ---------------------------------------------------------------------------------


def statement_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFC00000" if column.required else "FF000000")
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    today = timezone.localdate()
    examples = [
        [today, "收入", 500000, "瑞安市财政局", "中央补助资金第一批", f"{EXAMPLE_PREFIX}-0001", "", "", "中央补助"],
        [
            today,
            "支出",
            300000,
            "瑞安市建筑工程有限公司",
            "外立面改造进度款",
            f"{EXAMPLE_PREFIX}-0002",
            "33002612",
            "HT-001",
            "",
        ],
    ]
    for example in examples:
        sheet.append(example)
        for cell in sheet[sheet.max_row]:
            cell.font = EXAMPLE_FONT
    for row in (2, 3):
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd"
    for key, options in (("kind", ["收入", "支出"]), ("source", list(SOURCE_NAMES))):
        letter = get_column_letter(list(BY_KEY).index(key) + 1)
        validation = DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}5000")
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(NOTES_SHEET)
    for line in _notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=14)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _notes() -> list[str]:
    return [
        _("Bank agent statement: import template"),
        "",
        _("1. One row per transaction, as the bank agent booked it. Do not rename the sheet or the headers."),
        _("2. Direction is 收入 (income) or 支出 (payment); amounts in yuan, more than zero; dates as 2026-03-01."),
        _("3. The bank reference is required: a reference already recorded for the project is skipped."),
        _("4. Income needs its source of funds; a payment on a contract gives the contract number."),
        _("5. Rows whose bank reference starts with “示例” are examples and are skipped."),
        _("6. Residents' contributions are entered in aggregate; never enter personal names or phone numbers."),
        _("7. If any cell is wrong, nothing is imported: you get the list and your workbook with the cells marked."),
    ]
