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

# A test database file kept between runs (`pytest --reuse-db`): the mutation runner migrates it once
# and reuses it for every mutant instead of migrating an in-memory database each time.
TEST_SQLITE_PATH = env_str("TEST_SQLITE_PATH")  # noqa: F405
if TEST_SQLITE_PATH and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": TEST_SQLITE_PATH}  # noqa: F405

# The public page cache is off for the suite (tests change rows directly with factories, which
# no service reports); tests/public switch it on where they test it.
PUBLIC_CACHE_ENABLED = env_bool("PUBLIC_CACHE", False)  # noqa: F405
