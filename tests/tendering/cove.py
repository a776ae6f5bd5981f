"""The Open Contracting Partnership's own validator (libcoveocds, the engine of its Data Review
Tool), run offline on the copies in ``ocds-1.1/``.

libcoveocds reads the standard from the zip it is given (``standard_zip``) and fetches each
extension a package declares by its URL. Here the extension's URL is answered from the shipped
folder of that exact version (``bid-extension-v1.1.5/``) and every other request fails, and the
sockets are blocked while the validator runs: a test can never pass because something was
downloaded, nor hang because the network is missing.
"""

from __future__ import annotations

import io
import json
import socket
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter

SCHEMAS = Path(__file__).resolve().parent / "ocds-1.1"
STANDARD_ZIP = SCHEMAS / "standard-1__1__5.zip"
# Declared extension URL prefix → the shipped folder holding exactly that version.
EXTENSIONS = {
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/": SCHEMAS
    / "bid-extension-v1.1.5",
}
# The registry reads a GitHub-hosted extension from its repository's archive at that tag.
ARCHIVES = {
    "https://github.com/open-contracting-extensions/ocds_bid_extension/archive/v1.1.5.zip": (
        SCHEMAS / "bid-extension-v1.1.5",
        "ocds_bid_extension-1.1.5/",
    ),
}


def _archive(folder: Path, root: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(root, b"")  # GitHub's archives open with their root folder
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, root + path.relative_to(folder).as_posix())
    return buffer.getvalue()


class LocalExtensions(BaseAdapter):
    """A requests transport that serves the shipped extension files and refuses everything else."""

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.request = request
        response.url = request.url
        response.status_code = 404
        response.reason = "Not Found"
        response._content = b""
        if request.url in ARCHIVES:
            response.status_code = 200
            response.reason = "OK"
            response._content = _archive(*ARCHIVES[request.url])
        for prefix, folder in EXTENSIONS.items():
            if request.url.startswith(prefix):
                path = (folder / request.url[len(prefix) :]).resolve()
                if path.is_file() and folder.resolve() in path.parents:
                    response.status_code = 200
                    response.reason = "OK"
                    response._content = path.read_bytes()
        return response

    def close(self) -> None:
        pass


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise OSError("the OCDS validator runs offline in tests")


@contextmanager
def offline() -> Iterator[None]:
    import ocdsextensionregistry.util as registry_util

    session = registry_util.session
    adapters = dict(session.adapters)
    saved = (socket.socket.connect, socket.create_connection, socket.getaddrinfo)
    session.mount("https://", LocalExtensions())
    session.mount("http://", LocalExtensions())
    socket.socket.connect, socket.create_connection, socket.getaddrinfo = _refuse, _refuse, _refuse
    try:
        # The registry's cache would keep these answers (and needs real sockets' raw responses).
        with session.cache_disabled():
            yield
    finally:
        socket.socket.connect, socket.create_connection, socket.getaddrinfo = saved
        session.adapters.clear()
        session.adapters.update(adapters)


def review(package: dict[str, Any]) -> dict[str, Any]:
    """libcoveocds's report on a release package, as its command line and API produce it."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"context": "api", "standard_zip": STANDARD_ZIP.as_uri()})
    # The validator may edit what it is given: hand it a copy.
    data = json.loads(json.dumps(package))
    with offline(), tempfile.TemporaryDirectory() as output:
        return ocds_json_output(output, json_data=data, lib_cove_ocds_config=config)


def problems(report: dict[str, Any]) -> list[str]:
    """Everything that keeps a package from a clean report: schema errors (formats included),
    fields no schema or declared extension defines, codes outside closed and open codelists,
    and extensions that could not be read."""
    found = []
    for error in report.get("validation_errors", []):
        found.append(f"error: {json.dumps(error, ensure_ascii=False)[:400]}")
    for field in report.get("additional_fields", []):
        found.append(f"unknown field: {json.dumps(field, ensure_ascii=False)[:300]}")
    for kind in ("additional_closed_codelist_values", "additional_open_codelist_values"):
        for path, detail in (report.get(kind) or {}).items():
            found.append(f"{kind}: {path} {detail.get('values')}")
    extensions = report.get("extensions") or {}
    for url, reason in (extensions.get("invalid_extension") or {}).items():
        found.append(f"extension not read: {url}: {reason}")
    return found
