"""Where uploads live: the filesystem (default, ``make run``) or S3-compatible object storage.

``FILES_STORAGE=s3`` (the default once ``AWS_STORAGE_BUCKET_NAME`` is set) switches both storages to
django-storages' S3 backend (AWS S3, MinIO, Alibaba OSS, moto in tests); the variables keep
django-storages' and boto3's names and deploy/README.md ("Files") lists them. Public files get permanent
URLs (no query-string signature); private files only signed URLs valid ``PRIVATE_FILE_URL_SECONDS``,
and only through renovation.files.views after a permission check.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import env_str

S3_BACKEND = "storages.backends.s3.S3Storage"
MAX_SIGNED_URL_SECONDS = 3600
ADDRESSING_STYLES = ("path", "virtual", "auto")
STATICFILES = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def _s3_options(*, private: bool, expire: int) -> dict[str, Any]:
    bucket = env_str("AWS_STORAGE_BUCKET_NAME", required=True)
    addressing = env_str("AWS_S3_ADDRESSING_STYLE", "path")
    if addressing not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"AWS_S3_ADDRESSING_STYLE={addressing!r}: use one of {', '.join(ADDRESSING_STYLES)}."
        )
    options: dict[str, Any] = {
        "bucket_name": env_str("AWS_PRIVATE_STORAGE_BUCKET_NAME", bucket) if private else bucket,
        "location": env_str("AWS_PRIVATE_LOCATION", "private") if private else env_str("AWS_PUBLIC_LOCATION", "public"),
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        # MinIO wants path-style addresses (http://host:9000/bucket/key); AWS and OSS virtual hosts.
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "file_overwrite": False,
    }
    if private:
        # No ACL for anyone but the owner; reads only through signed URLs that expire soon.
        options.update(default_acl="private", querystring_auth=True, querystring_expire=expire)
    else:
        # "public-read" for AWS and OSS; MinIO ignores object ACLs: give it a bucket policy
        # (anonymous GetObject on <bucket>/public/*) and set AWS_PUBLIC_DEFAULT_ACL to empty.
        options.update(
            default_acl=env_str("AWS_PUBLIC_DEFAULT_ACL", "public-read") or None,
            querystring_auth=False,
            custom_domain=env_str("AWS_S3_CUSTOM_DOMAIN") or None,
            url_protocol=env_str("AWS_S3_URL_PROTOCOL", "https:"),
        )
    return options


def storages_setting(*, backend: str, private_root: str, expire: int, staticfiles: dict | None = None) -> dict:
    """The STORAGES setting: "default" is public, "private" needs a permission check."""
    if not 1 <= expire <= MAX_SIGNED_URL_SECONDS:
        raise ImproperlyConfigured(
            f"PRIVATE_FILE_URL_SECONDS={expire}: a signed URL to a private file must live between 1 and "
            f"{MAX_SIGNED_URL_SECONDS} seconds (a leaked one cannot be withdrawn before it expires)."
        )
    static = staticfiles or STATICFILES
    if backend == "filesystem":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {
                "BACKEND": "renovation.files.storage.PrivateFileSystemStorage",
                "OPTIONS": {"location": private_root},
            },
            "staticfiles": static,
        }
    if backend == "s3":
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": _s3_options(private=False, expire=expire),
            },
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": _s3_options(private=True, expire=expire),
            },
            "staticfiles": static,
        }
    raise ImproperlyConfigured(f"FILES_STORAGE={backend!r}: use 'filesystem' or 's3'.")
