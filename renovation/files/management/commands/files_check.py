"""Prove on a running installation that public files are public and private files are not.

Writes a probe object to each storage and fetches it the way a stranger would: the public one
must answer 200 at its plain URL, the private one 403 (object storage) without a signature and 200
with its signed URL. On disk it checks that the private folder lies outside MEDIA_ROOT. Exits
non-zero on any failure; run after deploying and in `make prod-check`.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management.base import BaseCommand, CommandError

from renovation.files.storage import PRIVATE, is_object_storage


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _unsigned_url(storage: Any, name: str) -> str:
    client = storage.unsigned_connection.meta.client
    return client.generate_presigned_url(
        "get_object", Params={"Bucket": storage.bucket_name, "Key": storage._normalize_name(name)}
    )


class Command(BaseCommand):
    help = "Check that public uploads are readable by anyone and private uploads only through a signed URL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--create-buckets",
            action="store_true",
            help="Create missing buckets first (a test server such as moto or a fresh MinIO).",
        )

    def handle(self, *args: Any, create_buckets: bool = False, **options: Any) -> None:
        public, private = default_storage, storages[PRIVATE]
        if not is_object_storage(private):
            self._check_folders()
            return
        if create_buckets:
            for storage in (public, private):
                if not storage.bucket.creation_date:
                    storage.connection.meta.client.create_bucket(Bucket=storage.bucket_name)
        probe = f"files-check/{uuid.uuid4().hex}.txt"
        failures = []
        public_name = public.save(probe, ContentFile(b"public probe"))
        private_name = private.save(probe, ContentFile(b"private probe"))
        try:
            if (status := _status(public.url(public_name))) != 200:
                failures.append(f"public object at {public.url(public_name)} answered {status}, not 200")
            if (status := _status(_unsigned_url(private, private_name))) not in (401, 403):
                failures.append(f"private object without a signature answered {status}, not 403")
            if (status := _status(private.url(private_name))) != 200:
                failures.append(f"private object with its signed URL answered {status}, not 200")
        finally:
            public.delete(public_name)
            private.delete(private_name)
        if failures:
            raise CommandError("; ".join(failures))
        self.stdout.write(
            f"ok: public objects readable, private objects refused without a signature "
            f"(signed URLs valid {settings.PRIVATE_FILE_URL_SECONDS} s)"
        )

    def _check_folders(self) -> None:
        media, private = Path(settings.MEDIA_ROOT).resolve(), Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        if private == media or private.is_relative_to(media):
            raise CommandError(
                f"PRIVATE_MEDIA_ROOT ({private}) lies inside MEDIA_ROOT ({media}), which is served at /media/."
            )
        self.stdout.write(f"ok: private uploads in {private}, outside MEDIA_ROOT {media}")
