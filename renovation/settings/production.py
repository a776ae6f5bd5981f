"""Production: everything comes from the environment; see deploy/env.example."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str
from .files import storages_setting

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated).")
if not env_str("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL is required in production (PostgreSQL).")
if not env_str("REDIS_URL"):
    raise ImproperlyConfigured("REDIS_URL is required in production (channel layer).")
# Sealed bids must not become readable to whoever learns SECRET_KEY, nor unreadable when it rotates.
BID_SEAL_KEYS = env_list("BID_SEAL_KEYS")
if not BID_SEAL_KEYS:
    raise ImproperlyConfigured(
        "BID_SEAL_KEYS is required in production: one or more Fernet keys, newest first "
        '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
    )

# Jobs must run on the worker, never in a web process (the immediate backend would run them there).
if TASKS_BACKEND != "database":  # noqa: F405
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' in production (jobs run on renovation-worker).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz, /readyz and /metrics are read over plain HTTP from the host itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
# HSTS on by default (a year); the environment may lower it, e.g. to 300 while trying HTTPS out.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# "preload" only says the site consents to browsers' preload lists; nothing is submitted.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Uploads: on disk (nginx serves MEDIA_ROOT at /media/ and PRIVATE_MEDIA_ROOT only through its
# internal location /_private/) or FILES_STORAGE=s3; see settings/files.py.
PRIVATE_MEDIA_ACCEL_REDIRECT = env_str("PRIVATE_MEDIA_ACCEL_REDIRECT", "/_private/")
STORAGES = storages_setting(
    backend=FILES_STORAGE,  # noqa: F405
    private_root=PRIVATE_MEDIA_ROOT,  # noqa: F405
    expire=PRIVATE_FILE_URL_SECONDS,  # noqa: F405
    staticfiles={"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
)
