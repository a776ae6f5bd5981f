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
# TEST_MEDIA_ROOT, TEST_PRIVATE_MEDIA_ROOT: a worker process started by a test shares the test's uploads.
MEDIA_ROOT = env_str("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="renovation-test-media-")  # noqa: F405
PRIVATE_MEDIA_ROOT = env_str("TEST_PRIVATE_MEDIA_ROOT") or tempfile.mkdtemp(prefix="renovation-test-private-")  # noqa: F405
PRIVATE_MEDIA_ACCEL_REDIRECT = ""
STORAGES = storages_setting(backend="filesystem", private_root=PRIVATE_MEDIA_ROOT, expire=PRIVATE_FILE_URL_SECONDS)  # noqa: F405
# Jobs run in the test's own process once its transaction commits, so their outcome can be asserted
# at once (tests of the worker itself start real workers on the database backend: tests/jobs/).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")  # noqa: F405
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND], "QUEUES": ["default", "clock"]}}  # noqa: F405

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

    # Counted from the URL's own number (REDIS_URL=.../6: workers on 7, 8, ...), so two runs given
    # different numbers (two engineers on one machine) do not flush each other's cache.
    _base = _re.search(r"/(\d+)$", REDIS_URL.rstrip("/"))  # noqa: F405
    _number = (int(_base.group(1)) if _base else 0) + 1 + int(_XDIST_WORKER[2:])
    REDIS_URL = _re.sub(r"(/\d+)?$", f"/{_number % 16}", REDIS_URL.rstrip("/"), count=1)  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = REDIS_URL  # noqa: F405
    # The public page cache too: two workers clearing one Redis database lost each other's cached
    # pages (test_invalidation failed only in parallel runs).
    CACHES["public"]["LOCATION"] = REDIS_URL  # noqa: F405
# The public page cache is off for the suite (tests change rows directly with factories, which
# no service reports); tests/public switch it on where they test it.
PUBLIC_CACHE_ENABLED = env_bool("PUBLIC_CACHE", False)  # noqa: F405
