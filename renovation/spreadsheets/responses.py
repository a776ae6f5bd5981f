"""Sending a written workbook back to the browser.

A download is built inside the view, while the user's language and the database connection are
active: openpyxl's write-only mode flushes each row to a temporary file as it is written and then
zips the sheets into a spooled temporary file (in memory up to ``SPOOL_BYTES``, on disk beyond),
which the response streams back in blocks. Memory stays flat in the number of rows; the first
byte leaves once the workbook is complete, because an xlsx is a zip whose directory comes last.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse

from .writer import XLSX_CONTENT_TYPE

SPOOL_BYTES = 4 * 1024 * 1024


class SpreadsheetResponse(FileResponse):
    block_size = 64 * 1024


def attachment(filename: str, fallback: str) -> str:
    """RFC 6266 / 5987: an ASCII name for old clients, the real (UTF-8) name for everyone else."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def spreadsheet_response(write: Callable[[IO[bytes]], Any], *, filename: str, fallback: str) -> SpreadsheetResponse:
    # Not a context manager: the file outlives this function, and the response closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        write(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = SpreadsheetResponse(spool, content_type=XLSX_CONTENT_TYPE)  # closes the spool when done
    response["Content-Disposition"] = attachment(filename, fallback)
    response["Cache-Control"] = "private, no-store"
    return response
