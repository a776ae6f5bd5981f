"""Is this upload a plain .xlsx workbook we may open? Checked before openpyxl reads a byte of it.

An .xlsx file is a zip archive. We refuse: anything that is not a zip; archives without the
workbook part; workbooks with macros (vbaProject.bin, or a macro-enabled content type);
archives whose uncompressed size or compression ratio marks a zip bomb; files over the limit.
"""

from __future__ import annotations

import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MACRO_CONTENT_TYPES = (
    "application/vnd.ms-excel.sheet.macroEnabled",
    "application/vnd.ms-excel.template.macroEnabled",
    "application/vnd.ms-excel.addin.macroEnabled",
)


def check_workbook_file(handle: IO[bytes], *, name: str, size: int) -> None:
    limit = settings.PLAN_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": limit // (1024 * 1024)},
            code="too_large",
        )
    not_a_workbook = ValidationError(
        _("“%(name)s” is not an Excel workbook (.xlsx). Save it as “Excel Workbook” and try again.") % {"name": name},
        code="not_a_workbook",
    )
    handle.seek(0)
    if not zipfile.is_zipfile(handle):
        raise not_a_workbook
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise not_a_workbook
            if len(members) > settings.PLAN_IMPORT_MAX_ZIP_ENTRIES:
                raise _bomb(name)
            unpacked = sum(member.file_size for member in members)
            packed = max(sum(member.compress_size for member in members), 1)
            if unpacked > settings.PLAN_IMPORT_MAX_UNPACKED_BYTES or unpacked / packed > settings.PLAN_IMPORT_MAX_RATIO:
                raise _bomb(name)
            content_types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace")
            if any(member.endswith("vbaProject.bin") for member in names) or any(
                kind in content_types for kind in MACRO_CONTENT_TYPES
            ):
                raise ValidationError(
                    _("“%(name)s” contains macros. Save it as a plain “Excel Workbook” (.xlsx) without macros.")
                    % {"name": name},
                    code="macros",
                )
    except zipfile.BadZipFile as error:
        raise not_a_workbook from error
    finally:
        handle.seek(0)


def _bomb(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” unpacks to far more data than a plan workbook holds, so it was not opened.") % {"name": name},
        code="zip_bomb",
    )
