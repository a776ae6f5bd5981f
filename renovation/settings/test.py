"""pytest: SQLite by default; PostgreSQL when DATABASE_URL is set, Redis when REDIS_URL is set."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "renovation.sms.backends.locmem.SmsBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="renovation-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Imports run in the request in tests, so their outcome can be asserted at once.
PLAN_IMPORT_IN_BACKGROUND = False
