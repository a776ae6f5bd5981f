"""``/files/<kind>/<pk>/``: every private file, after its kind's permission check."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .delivery import file_response
from .selectors import readable_file


@require_safe
def serve(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    readable = readable_file(request.user, kind, pk)
    if readable is None:
        raise Http404  # the same answer for "no such file" and "not yours"
    return file_response(readable.file, download_name=readable.download_name, public=readable.public)
