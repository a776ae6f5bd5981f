"""`manage.py check --deploy` is clean with deploy/env.example's values, and HSTS is on by
default in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _example_environment() -> dict[str, str]:
    values = {}
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def _run(env: dict[str, str], code: list[str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def secrets_on_disk(tmp_path) -> dict[str, str]:
    """env.example points the secrets at files under /etc/renovation; these stand in for them."""
    secret_key = tmp_path / "secret_key"
    secret_key.write_text("k" * 20 + Fernet.generate_key().decode() + "\n")
    seal_keys = tmp_path / "bid_seal_keys"
    seal_keys.write_text(Fernet.generate_key().decode() + "\n")
    return {"SECRET_KEY_FILE": str(secret_key), "BID_SEAL_KEYS_FILE": str(seal_keys)}


def test_the_example_environment_passes_the_deploy_checks_without_a_warning(secrets_on_disk):
    env = {**_example_environment(), **secrets_on_disk}
    assert env["DJANGO_SETTINGS_MODULE"] == "renovation.settings.production"
    result = _run(env, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_checks_do_fail_on_a_warning(secrets_on_disk):
    # The test above could not pass by accident: HSTS off is a warning, and it fails the run.
    env = {**_example_environment(), **secrets_on_disk, "SECURE_HSTS_SECONDS": "0"}
    result = _run(env, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_hsts_is_on_for_a_year_by_default_and_the_environment_may_lower_it(secrets_on_disk):
    env = {key: value for key, value in _example_environment().items() if not key.startswith("SECURE_HSTS")}
    env.update(secrets_on_disk)
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    assert _run(env, ["-c", code]).stdout.split() == ["31536000", "True"]
    assert _run({**env, "SECURE_HSTS_SECONDS": "300"}, ["-c", code]).stdout.split() == ["300", "True"]
