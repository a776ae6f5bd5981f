"""FILES_STORAGE and its companions are checked at start-up, with a message naming the variable."""

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
    monkeypatch.setenv("S3_BUCKET", "renovation-files")
    monkeypatch.setenv("S3_PRIVATE_BUCKET", "renovation-private")
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
    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET is required"):
        storages_setting(backend="s3", private_root="", expire=120)
    monkeypatch.setenv("S3_BUCKET", "renovation-files")
    monkeypatch.setenv("S3_ADDRESSING_STYLE", "sideways")
    with pytest.raises(ImproperlyConfigured, match="S3_ADDRESSING_STYLE='sideways'"):
        storages_setting(backend="s3", private_root="", expire=120)
