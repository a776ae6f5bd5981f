"""FILES_STORAGE and its companions are checked at start-up, with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from renovation.settings.files import storages_setting


def test_it_keeps_private_files_out_of_public_storage_on_disk():
    setting = storages_setting(backend="filesystem", private_root="/srv/private", expire=120)
    assert setting["private"] == {
        "BACKEND": "renovation.files.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": "/srv/private"},
    }
    assert setting["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_it_signs_private_objects_and_not_public_ones(monkeypatch):
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "renovation-files")
    monkeypatch.setenv("AWS_PRIVATE_STORAGE_BUCKET_NAME", "renovation-private")
    setting = storages_setting(backend="s3", private_root="", expire=90)
    private, public = setting["private"]["OPTIONS"], setting["default"]["OPTIONS"]
    assert (private["bucket_name"], private["location"], private["default_acl"]) == (
        "renovation-private",
        "private",
        "private",
    )
    assert (private["querystring_auth"], private["querystring_expire"]) == (True, 90)
    assert (public["bucket_name"], public["location"], public["querystring_auth"]) == (
        "renovation-files",
        "public",
        False,
    )
    assert public["default_acl"] == "public-read"


def test_it_refuses_an_unknown_backend():
    with pytest.raises(ImproperlyConfigured, match="FILES_STORAGE='ftp'"):
        storages_setting(backend="ftp", private_root="", expire=120)


@pytest.mark.parametrize("expire", [0, 7 * 24 * 3600])
def test_it_refuses_signed_urls_that_never_or_hardly_ever_expire(expire):
    with pytest.raises(ImproperlyConfigured, match="PRIVATE_FILE_URL_SECONDS"):
        storages_setting(backend="filesystem", private_root="/srv/private", expire=expire)


def test_it_requires_a_bucket_and_a_known_addressing_style(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME is required"):
        storages_setting(backend="s3", private_root="", expire=120)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "renovation-files")
    monkeypatch.setenv("AWS_S3_ADDRESSING_STYLE", "sideways")
    with pytest.raises(ImproperlyConfigured, match="AWS_S3_ADDRESSING_STYLE='sideways'"):
        storages_setting(backend="s3", private_root="", expire=120)


PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "renovation.example.gov.cn",
    "DATABASE_URL": "postgres://app@127.0.0.1:5432/renovation",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "BID_SEAL_KEYS": "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "DJANGO_SETTINGS_MODULE": "renovation.settings.production",
}
SHOW_STORAGES = (
    "import django; from django.conf import settings; django.setup(); "
    "from django.core.files.storage import storages; p = storages['private']; "
    "print(settings.PRIVATE_MEDIA_ACCEL_REDIRECT, type(p).__name__, getattr(p, 'location', ''), "
    "getattr(p, 'querystring_expire', ''), type(storages['staticfiles']).__name__)"
)


def _production(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "FILES_", "PRIVATE_"))}
    clean.update(PRODUCTION, **env)
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", SHOW_STORAGES], cwd=root, env=clean, capture_output=True, text=True)


def test_it_hands_private_files_to_nginx_in_production_by_default():
    result = _production({"PRIVATE_MEDIA_ROOT": "/var/lib/renovation/private"})
    assert result.returncode == 0, result.stderr
    fields = result.stdout.split()
    assert fields == [
        "/_private/",
        "PrivateFileSystemStorage",
        "/var/lib/renovation/private",
        "ManifestStaticFilesStorage",
    ]


def test_it_switches_production_to_object_storage_when_a_bucket_is_set():
    result = _production({"AWS_STORAGE_BUCKET_NAME": "renovation-files", "PRIVATE_FILE_URL_SECONDS": "60"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:] == ["S3Storage", "private", "60", "ManifestStaticFilesStorage"]


def test_it_keeps_files_on_disk_when_told_so_despite_a_bucket():
    result = _production({"AWS_STORAGE_BUCKET_NAME": "renovation-files", "FILES_STORAGE": "filesystem"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "PrivateFileSystemStorage"
