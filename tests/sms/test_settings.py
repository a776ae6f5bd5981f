"""SMS settings come from the environment through the strict helpers; secrets accept *_FILE."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _settings(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SMS_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="renovation.settings.dev")
    code = f"import django; from django.conf import settings; django.setup(); print({expression})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_it_reads_the_provider_secret_from_a_file(tmp_path):
    secret = tmp_path / "sms-secret"
    secret.write_text("s3cret\n")
    result = _settings({"SMS_ALIYUN_ACCESS_KEY_SECRET_FILE": str(secret)}, "settings.SMS_ALIYUN['ACCESS_KEY_SECRET']")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "s3cret"


def test_it_refuses_a_limit_that_is_not_a_number():
    result = _settings({"SMS_SENDS_PER_IP_PER_DAY": "many"}, "settings.SMS_SENDS_PER_IP_PER_DAY")
    assert result.returncode != 0
    assert "SMS_SENDS_PER_IP_PER_DAY" in result.stderr
