"""What a stored rendering's ``build`` digests: the release's own files."""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings


@functools.cache
def source_digest(folders: tuple[str, ...], suffixes: tuple[str, ...]) -> bytes:
    """A SHA-256 of every file ending in one of ``suffixes`` below these folders of ``BASE_DIR``
    and below ``LOCALE_PATHS`` (the compiled translations), with its path, in a stable order. Read
    once per process: a deploy that changes any of them changes it, so every row built by the
    previous release is stale (the clock renders it again), and web and worker agree when they
    run the same release."""
    digest = hashlib.sha256()
    base = settings.BASE_DIR
    for root in [*(base / folder for folder in folders), *settings.LOCALE_PATHS]:
        for path in sorted(root.rglob("*")):
            if path.suffix in suffixes and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.digest()
