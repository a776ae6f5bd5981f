"""A page of a bulk endpoint, held in memory, sent in one write with its length."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse


def text_stream(pieces: Iterable[str | bytes], content_type: str) -> StreamingHttpResponse:
    """The pieces (a fixed-size page whose texts are all read already) as a streamed response of
    one chunk, encoded once, with its ``Content-Length``; pieces given as bytes are UTF-8 already
    (texts read undecoded from the database: renovation/public/prepared.py) and go as they are.

    A chunk per release or project cost a hundred writes to the client per page (a system call
    each under gunicorn, and as many reads for the client) and a bytes conversion each in Django;
    the length spares HTTP/1.1 clients the chunked transfer encoding. The page is in memory
    anyway, and slicing it would only copy it again. Compression: the public page cache keeps a
    big page gzip-compressed (renovation/public/compression.py); nginx compresses the rest."""
    given = list(pieces)
    texts = [piece for piece in given if isinstance(piece, str)]
    if len(texts) == len(given):
        body = "".join(texts).encode()
    else:
        body = b"".join(piece if isinstance(piece, bytes) else piece.encode() for piece in given)
    response = StreamingHttpResponse([body], content_type=content_type)
    response["Content-Length"] = str(len(body))
    return response
