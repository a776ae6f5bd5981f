"""Is this upload a plain .xlsx workbook we may open? Checked before openpyxl reads a byte of it.

Shared by every workbook import (annual plan, household register, bank statement); each refusal
names the import it belongs to, so a message never talks about the plan on the bank import. The
limits are the ``PLAN_IMPORT_MAX_*`` settings (named after the first import; they apply to all).

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


def check_workbook_file(handle: IO[bytes], *, name: str, size: int, purpose: str) -> None:
    """Refuse the upload with a ValidationError (codes: too_large, not_a_workbook, zip_bomb, macros).

    ``purpose`` names the import in the user's language, as in “…imported as the %(purpose)s”:
    ``pgettext("workbook import", "annual plan")``, "household register", "bank statement".
    """
    limit = settings.PLAN_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB, the limit for %(purpose)s workbooks.")
            % {"name": name, "limit": limit // (1024 * 1024), "purpose": purpose},
            code="too_large",
        )
    not_a_workbook = ValidationError(
        _(
            "“%(name)s” is not an Excel workbook (.xlsx), so it cannot be imported as the %(purpose)s. "
            "Save it as “Excel Workbook” and try again."
        )
        % {"name": name, "purpose": purpose},
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
                raise _bomb(name, purpose)
            unpacked = sum(member.file_size for member in members)
            packed = max(sum(member.compress_size for member in members), 1)
            if unpacked > settings.PLAN_IMPORT_MAX_UNPACKED_BYTES or unpacked / packed > settings.PLAN_IMPORT_MAX_RATIO:
                raise _bomb(name, purpose)
            content_types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace")
            if any(member.endswith("vbaProject.bin") for member in names) or any(
                kind in content_types for kind in MACRO_CONTENT_TYPES
            ):
                raise ValidationError(
                    _(
                        "“%(name)s” contains macros, so it cannot be imported as the %(purpose)s. "
                        "Save it as a plain “Excel Workbook” (.xlsx) without macros."
                    )
                    % {"name": name, "purpose": purpose},
                    code="macros",
                )
    except zipfile.BadZipFile as error:
        raise not_a_workbook from error
    finally:
        handle.seek(0)


def _bomb(name: str, purpose: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” unpacks to far more data than %(purpose)s workbooks hold, so it was not opened.")
        % {"name": name, "purpose": purpose},
        code="zip_bomb",
    )
