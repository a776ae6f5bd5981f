"""The household register workbook: its columns, the downloadable template, row-by-row checks and
the import run (a background job: renovation/consultation/tasks.py). The file checks, typed cell
reading and the marked-up error workbook are the shared ``renovation.spreadsheets``; only the
register's own rules live here."""

from __future__ import annotations

import io
import logging
import secrets
import zipfile
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from renovation.accounts.permissions import is_staff_member
from renovation.jobs.failures import import_record_save, import_record_settle, import_stopped, record_failed
from renovation.jobs.retention import file_deleted_message, import_files_expire
from renovation.places.selectors import neighbourhoods_manageable_by
from renovation.spreadsheets.annotate import annotated_copy
from renovation.spreadsheets.cells import EXAMPLE_PREFIX, Column, Problem, RowCells, header_positions
from renovation.spreadsheets.template import template_sheet

from .models import PHONE_VALIDATOR, HouseholdImport

logger = logging.getLogger(__name__)

SHEET = "住户名册"
NOTES_SHEET = "填写说明"
COLUMNS = (
    # Optional: needed only where two streets have a community and neighbourhood of the same name.
    Column("street", "街道", "text", required=False, width=12),
    Column("community", "社区", "text", width=12),
    Column("neighbourhood", "小区", "text", width=16),
    Column("building", "楼栋", "text", width=8),
    Column("unit", "单元", "text", required=False, width=8),
    Column("room", "室号", "text", width=8),
    Column("floor_area", "建筑面积（m²）", "money", required=False, width=14),
    Column("contact_name", "联系人", "text", required=False, width=12),
    Column("phone", "联系电话", "text", required=False, width=16),
)
BY_KEY = {column.key: column for column in COLUMNS}
SHORT_TEXT = {"building": 16, "unit": 16, "room": 16, "contact_name": 64}
PROBLEMS = {
    "unknown_neighbourhood": gettext_lazy("No such neighbourhood in this community in the streets you manage."),
    "ambiguous_neighbourhood": gettext_lazy(
        "Neighbourhoods of this name exist in several streets; fill in the street."
    ),
    "duplicate_household": gettext_lazy("This building, unit and room appear twice in the sheet."),
    "phone": gettext_lazy("Enter a mobile number (11 digits) or a landline such as 0577-65812345."),
    "too_long": gettext_lazy("The text is too long."),
    "area_too_large": gettext_lazy("A household's floor area must be under 10,000 m²."),
}
MAX_FLOOR_AREA = 10_000  # the column holds up to 999,999.99; no flat comes near this


def register_template() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    template_sheet(
        workbook,
        SHEET,
        COLUMNS,
        [["安阳街道", f"{EXAMPLE_PREFIX}：万松社区", "飞云花园", "3", "2", "301", 86.5, "张三", "13800000000"]],
    )
    notes = workbook.create_sheet(NOTES_SHEET, 0)
    for line in (
        _("Household register: import template"),
        "",
        _("1. One row per household (户). Do not rename the sheet or the column headers; red headers are required."),
        _("2. Rows whose community starts with “示例” are examples and are skipped."),
        _("3. Building, unit and room identify a household: importing the same household again updates it."),
        _("4. Contact names and phones are personal data: only street and bureau staff ever see them."),
        _("5. If any cell is wrong, nothing is imported: you get the list and your workbook with the cells marked."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=14)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _problem(problems: list[Problem], positions: dict[str, int], row: int, key: str, code: str) -> None:
    letter = get_column_letter(positions[key] + 1)
    problems.append(
        Problem(
            sheet=SHEET,
            row=row,
            column=f"{letter} {BY_KEY[key].header}",
            cell=f"{letter}{row}",
            code=code,
            message=str(PROBLEMS[code]),
        )
    )


def read_register(handle: IO[bytes], *, actor: Any) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every row checked; the rows are usable only when the problem list is empty."""
    places: dict[tuple[str, str], list[Any]] = {}
    for place in neighbourhoods_manageable_by(actor):
        places.setdefault((place.community.name, place.name), []).append(place)
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    workbook = load_workbook(handle, read_only=True, data_only=True)
    try:
        if SHEET not in workbook.sheetnames:
            message = _("The sheet “%(sheet)s” is missing (the workbook has: %(present)s). Use the template.") % {
                "sheet": SHEET,
                "present": "、".join(workbook.sheetnames) or "—",
            }
            return [], [Problem(SHEET, None, None, None, "missing_sheet", message)]
        lines = workbook[SHEET].iter_rows(values_only=True)
        positions = header_positions(SHEET, next(lines, None) or (), COLUMNS, problems)
        if positions is None:
            return [], problems
        seen: set[tuple] = set()
        for number, values in enumerate(lines, start=2):
            if not any(value not in (None, "") for value in values):
                continue
            cells = RowCells(SHEET, number, positions, values, problems)
            first = cells.raw(BY_KEY["community"])
            if isinstance(first, str) and first.startswith(EXAMPLE_PREFIX):
                continue
            row = {column.key: cells.read(column) for column in COLUMNS}
            row["unit"] = row["unit"] or ""
            row["contact_name"] = row["contact_name"] or ""
            row["phone"] = (row["phone"] or "").replace(" ", "")
            _check_row(row, number, positions, places, seen, problems)
            rows.append(row)
    finally:
        workbook.close()
    return rows, problems


def _check_row(
    row: dict[str, Any],
    number: int,
    positions: dict[str, int],
    places: dict[tuple[str, str], list[Any]],
    seen: set[tuple],
    problems: list[Problem],
) -> None:
    for key, limit in SHORT_TEXT.items():
        if row[key] and len(row[key]) > limit:
            _problem(problems, positions, number, key, "too_long")
            row[key] = None
    if row["floor_area"] is not None and row["floor_area"] >= MAX_FLOOR_AREA:
        _problem(problems, positions, number, "floor_area", "area_too_large")
    if row["phone"]:
        try:
            PHONE_VALIDATOR(row["phone"])
        except ValidationError:
            _problem(problems, positions, number, "phone", "phone")
    if row["community"] and row["neighbourhood"]:
        found = places.get((row["community"], row["neighbourhood"]), [])
        if row["street"]:
            found = [
                place for place in found if row["street"] in (place.community.street.name, place.community.street.code)
            ]
        if len(found) == 1:
            row["neighbourhood"] = found[0]
        else:
            code = "ambiguous_neighbourhood" if found else "unknown_neighbourhood"
            _problem(problems, positions, number, "neighbourhood", code)
            row["neighbourhood"] = None
    key = (getattr(row["neighbourhood"], "pk", None), row["building"], row["unit"], row["room"])
    if all(value is not None for value in key):
        if key in seen:
            _problem(problems, positions, number, "room", "duplicate_household")
        seen.add(key)


# What openpyxl raises on a zip that passed the file checks but is no workbook it can read.
UNREADABLE = (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, InvalidFileException)
# An import that ended with an answer; an interrupted (failed) one may run again.
SETTLED = (HouseholdImport.Status.DONE, HouseholdImport.Status.REJECTED)
REASON = "household_import"


def _record_save(record: HouseholdImport, **fields: Any) -> None:
    import_record_save(record, REASON, **fields)


def _settle(record: HouseholdImport, **fields: Any) -> bool:
    return import_record_settle(record, SETTLED, REASON, **fields)


def _forget_upload(record: HouseholdImport) -> None:
    """The uploaded register is personal data: once its import has an answer it goes. Run after
    the answer commits (a run that dies in between leaves it for the next run to remove)."""
    if record.workbook:
        record.workbook.storage.delete(record.workbook.name)
        HouseholdImport.objects.filter(pk=record.pk).update(workbook="")
        record.workbook = ""


def _read(record: HouseholdImport) -> tuple[list[dict[str, Any]], list[Problem]]:
    if not record.workbook:  # deleted after IMPORT_FILES_KEEP_DAYS: a job retried that late has nothing to read
        raise ValidationError(file_deleted_message(), code="file_deleted")
    with record.workbook.open("rb") as stored:  # a storage failure is no verdict on the file: it fails the job
        content = stored.read()
    try:
        rows, problems = read_register(io.BytesIO(content), actor=record.uploaded_by)
    except UNREADABLE as error:
        message = _("“%(name)s” could not be read as a workbook.") % {"name": record.original_name}
        raise ValidationError(message, code="unreadable") from error
    if not rows and not problems:
        problems = [Problem(SHEET, None, None, None, "empty", _("The sheet has no households to import."))]
    return rows, problems


def _reject(record: HouseholdImport, problems: list[Problem]) -> None:
    with record.workbook.open("rb") as handle:
        try:
            marked = annotated_copy(handle, problems, author=_("Household register import"))
        except UNREADABLE:
            marked = None  # the problems are still listed on the page
    if marked is not None:
        record.annotated.save(f"errors-{secrets.token_urlsafe(16)}.xlsx", ContentFile(marked), save=False)
    answered = _settle(
        record,
        status=HouseholdImport.Status.REJECTED,
        errors=[problem.as_dict() for problem in problems],
        annotated=record.annotated.name or "",
    )
    if not answered and record.annotated:  # another run answered first: no copy of the file stays
        record.annotated.storage.delete(record.annotated.name)


def household_import_run(*, import_id: int) -> HouseholdImport:
    """Check and import one uploaded register (the worker's job; ``services.household_import_start``
    queues it). Every row is checked, then all are written or none. Safe to run again (a worker died
    half-way, a job ran twice): the households and the record's "done" are one transaction, which
    first locks the record and stops if another run finished it. Never logs a cell."""
    from .services import household_rows_apply

    record = HouseholdImport.objects.select_related("uploaded_by").get(pk=import_id)
    if record.status in SETTLED or not _settle(record, status=HouseholdImport.Status.RUNNING, errors=[]):
        _forget_upload(record)  # a run that died after committing its answer, or one that answered since
        record.refresh_from_db()
        return record
    try:
        if not is_staff_member(record.uploaded_by):  # the uploader left the staff since
            raise PermissionDenied(_("Only street and bureau staff may import household registers."))
        rows, problems = _read(record)
        if problems:
            _reject(record, problems)
        else:
            with transaction.atomic():
                claimed = HouseholdImport.objects.select_for_update().get(pk=record.pk)
                if claimed.status in SETTLED:  # another run got there first
                    return claimed
                summary = household_rows_apply(actor=record.uploaded_by, rows=rows)
                _record_save(record, status=HouseholdImport.Status.DONE, summary=summary)
    except (PermissionDenied, ValidationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        _settle(record, status=HouseholdImport.Status.REJECTED, errors=[{"message": m} for m in messages])
    except Exception as error:
        # The job fails too (staff see it under Background jobs and may retry it), naming no cell.
        stopped = import_stopped(logger, "household import", import_id, error)
        if not record_failed(record, _settle):  # another run answered meanwhile: that answer stands
            record.refresh_from_db()
            return record
        raise stopped from None
    _forget_upload(record)
    return record


def household_import_files_expire(*, now: datetime | None = None) -> int:
    """Delete the files of register imports answered more than IMPORT_FILES_KEEP_DAYS ago (the
    clock's job; renovation/jobs/retention.py). Returns how many imports lost their files."""
    return import_files_expire(
        model=HouseholdImport,
        task_path="renovation.consultation.tasks.household_import",
        answered=(*SETTLED, HouseholdImport.Status.FAILED),
        now=now,
    )
