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

# Parallel runs (`pytest -n 2`, pytest-xdist): pytest-django gives each worker its own test database;
# Redis is shared, so each worker gets its own Redis database number too — otherwise two workers'
# channel groups (named after primary keys that both databases hand out) would hear each other.
_XDIST_WORKER = env_str("PYTEST_XDIST_WORKER")  # noqa: F405
if REDIS_URL and _XDIST_WORKER.startswith("gw"):  # noqa: F405
    import re as _re

    REDIS_URL = _re.sub(r"(/\d+)?$", f"/{1 + int(_XDIST_WORKER[2:]) % 15}", REDIS_URL.rstrip("/"), count=1)  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = REDIS_URL  # noqa: F405
