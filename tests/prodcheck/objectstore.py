"""The object store: a moto S3 server on loopback, and the settings that point the app at it.

=== PLUG-IN: object storage ==========================================================================
The private-files/S3 branch decides the environment variables that switch the storage. They are
named in ONE place, `ObjectStore.app_env()` below; if that branch chose other names, change them
there (and in deploy/backup.sh / deploy/restore.sh, section "object store"). prod-check runs the
object-store steps when both `storages` (django-storages) and `moto` import; otherwise it reports
them SKIPPED, which fails the run.
=====================================================================================================
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.prodcheck.deployfiles import DEPLOY
from tests.prodcheck.report import Skip

ACCESS_KEY = "prodcheck"
SECRET_KEY = "prodcheck-secret"  # moto accepts any; not a secret
REGION = "us-east-1"


SWITCH = "AWS_STORAGE_BUCKET_NAME"  # PLUG-IN: the variable deploy/env.example documents for it


def available() -> None:
    env_example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    if SWITCH not in env_example:
        raise Skip(
            f"deploy/env.example has no {SWITCH}: this checkout keeps uploads on disk only "
            "(the private-files/S3 branch adds the switch; see tests/prodcheck/objectstore.py, PLUG-IN)"
        )
    missing = [name for name in ("storages", "moto", "boto3") if importlib.util.find_spec(name) is None]
    if missing:
        raise Skip(
            f"object store not testable here: {', '.join(missing)} not installed "
            "(the private-files/S3 branch adds django-storages[s3] and moto[server]); "
            "media is checked on disk instead"
        )


@dataclass
class ObjectStore:
    port: int
    bucket: str
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_env(self, bucket: str | None = None) -> dict[str, str]:
        """PLUG-IN: the variables the production settings read to keep uploads in S3."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket or self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def start(self, log: Path) -> None:
        beside = Path(sys.executable).with_name("moto_server")  # this virtualenv's, not another on PATH
        executable = str(beside) if beside.exists() else shutil.which("moto_server") or "moto_server"
        self.process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(60):
            try:
                requests.get(self.endpoint, timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.5)
        self.create_bucket(self.bucket)

    def client(self):  # boto3 is optional: imported only when the object store is in use
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def keys(self, bucket: str) -> dict[str, str]:
        """Every object in a bucket: key → ETag (MD5 of the content for single-part uploads)."""
        found: dict[str, str] = {}
        paginator = self.client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = item["ETag"]
        return found

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
