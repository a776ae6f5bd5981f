"""pytest: SQLite by default; PostgreSQL when DATABASE_URL is set, Redis when REDIS_URL is set."""

import tempfile

from .base import *  # noqa: F403
from .files import storages_setting

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "renovation.sms.backends.locmem.SmsBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="renovation-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="renovation-test-private-")
PRIVATE_MEDIA_ACCEL_REDIRECT = ""
STORAGES = storages_setting(backend="filesystem", private_root=PRIVATE_MEDIA_ROOT, expire=PRIVATE_FILE_URL_SECONDS)  # noqa: F405
# Imports run in the request in tests, so their outcome can be asserted at once.
PLAN_IMPORT_IN_BACKGROUND = False

# A test database file kept between runs (`pytest --reuse-db`): the mutation runner migrates it once
# and reuses it for every mutant instead of migrating an in-memory database each time.
TEST_SQLITE_PATH = env_str("TEST_SQLITE_PATH")  # noqa: F405
if TEST_SQLITE_PATH and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": TEST_SQLITE_PATH}  # noqa: F405
