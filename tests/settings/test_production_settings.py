"""Production settings refuse to start with a missing or unsafe configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "renovation.example.gov.cn",
    "DATABASE_URL": "postgres://app@127.0.0.1:5432/renovation",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "BID_SEAL_KEYS": "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
}

pytestmark = pytest.mark.slow


def _load(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in GOOD and not key.endswith("_FILE")}
    clean.update(env, DJANGO_SETTINGS_MODULE="renovation.settings.production")
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_it_starts_with_a_complete_environment():
    result = _load(GOOD)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "BID_SEAL_KEYS"])
def test_it_refuses_to_start_without(missing):
    env = {key: value for key, value in GOOD.items() if key != missing}
    result = _load(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_it_refuses_a_short_secret_key():
    result = _load({**GOOD, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("y" * 50 + "\n")
    env = {key: value for key, value in GOOD.items() if key != "SECRET_KEY"}
    result = _load({**env, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_it_rejects_a_malformed_boolean():
    result = _load({**GOOD, "SECURE_SSL_REDIRECT": "maybe"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_it_queues_jobs_in_the_database_by_default():
    code = (
        "import django; from django.conf import settings; django.setup(); print(settings.TASKS['default']['BACKEND'])"
    )
    clean = {key: value for key, value in os.environ.items() if key not in GOOD and not key.startswith("TASKS")}
    env = {**clean, **GOOD, "DJANGO_SETTINGS_MODULE": "renovation.settings.production"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND"),
        ({"TASKS_BACKEND": "immediate"}, "TASKS_BACKEND"),  # jobs would run in the web processes
        ({"JOBS_HEARTBEAT_SECONDS": "30", "JOBS_LEASE_SECONDS": "40"}, "JOBS_LEASE_SECONDS"),
    ],
)
def test_it_refuses_a_bad_job_queue_setting(env, named):
    result = _load({**GOOD, **env})
    assert result.returncode != 0
    assert named in result.stderr
