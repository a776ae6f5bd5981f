"""How a file that passed its permission check reaches the browser.

- Object storage (S3, MinIO, Alibaba OSS): a redirect to a signed URL valid
  ``PRIVATE_FILE_URL_SECONDS``; the bytes never pass through Django.
- Disk behind nginx (``PRIVATE_MEDIA_ACCEL_REDIRECT`` set): an empty answer with
  ``X-Accel-Redirect`` to nginx's ``internal`` location for the private folder.
- Disk without nginx (``make run``): Django streams the file.
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from .storage import is_object_storage


def file_response(field_file: FieldFile, *, download_name: str | None = None, public: bool = False) -> HttpResponse:
    storage = field_file.storage
    name = field_file.name
    disposition = content_disposition_header(bool(download_name), download_name or posixpath.basename(name))
    response: HttpResponse
    if is_object_storage(storage):
        parameters = {"ResponseContentDisposition": disposition} if download_name else None
        url = storage.url(name, parameters=parameters, expire=settings.PRIVATE_FILE_URL_SECONDS)
        response = HttpResponseRedirect(url)
    elif settings.PRIVATE_MEDIA_ACCEL_REDIRECT:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            field_file.open("rb"), as_attachment=bool(download_name), filename=download_name or posixpath.basename(name)
        )
    # A permission-checked answer is never kept by a shared cache; a public one may be, for less
    # than the signed URL it points at lives.
    if public:
        response["Cache-Control"] = f"public, max-age={max(settings.PRIVATE_FILE_URL_SECONDS // 2, 0)}"
    else:
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
