"""The CI dependency audit (.ci/pip_audit.py): a finding fails the run, an unreachable service is
a loud, recorded warning, never a silent pass."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("ci_pip_audit", ROOT / ".ci" / "pip_audit.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules["ci_pip_audit"] = audit  # dataclasses look their module up while the file loads
_spec.loader.exec_module(audit)

SKIPPED_WAGTAIL = {
    "name": "wagtail",
    "skip_reason": "Dependency not found on PyPI and could not be audited: wagtail (8.0.1)",
}
VULN = {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2026-1"], "fix_versions": ["5.2.20"], "description": "x"}


def _pypi(*dependencies):
    return audit.parse_report("pypi", {"dependencies": list(dependencies), "fixes": []})


def _unreachable(service="osv"):
    return audit.ServiceRun(service, error="ConnectionError: Failed to resolve")


def _finish(outcome, runs, tmp_path, monkeypatch):
    monkeypatch.setenv("CI_RECORDS_DIR", str(tmp_path))
    code = audit.report(outcome, runs, audit.record(outcome, runs))
    return code, json.loads((tmp_path / "pip-audit.json").read_text())


def test_a_known_vulnerability_fails_the_run(tmp_path, monkeypatch, capsys):
    runs = [_pypi({"name": "django", "version": "5.2.19", "vulns": [VULN]}), _unreachable()]
    code, recorded = _finish(audit.combine(runs, {}), runs, tmp_path, monkeypatch)
    assert code == 1
    assert "django==5.2.19  GHSA-aaaa-bbbb-cccc  fixed in: 5.2.20" in capsys.readouterr().out
    assert recorded["status"] == "vulnerable"


def test_an_ignored_vulnerability_needs_and_shows_its_reason(tmp_path, monkeypatch, capsys):
    runs = [_pypi({"name": "django", "version": "5.2.19", "vulns": [VULN]})]
    code, recorded = _finish(audit.combine(runs, {"CVE-2026-1": "only the MySQL backend"}), runs, tmp_path, monkeypatch)
    assert code == 0
    assert "ignoring GHSA-aaaa-bbbb-cccc in django==5.2.19: only the MySQL backend" in capsys.readouterr().out
    assert recorded["ignored"][0]["reason"] == "only the MySQL backend"


def test_an_ignore_entry_without_a_reason_stops_the_run(tmp_path):
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("# comment\nGHSA-aaaa-bbbb-cccc\n")
    with pytest.raises(SystemExit, match="has no reason"):
        audit.read_ignore_list(ignore)


def test_unreachable_services_are_a_loud_recorded_warning_not_a_pass(tmp_path, monkeypatch, capsys):
    skipped = SKIPPED_WAGTAIL
    runs = [_pypi(skipped), _unreachable()]
    code, recorded = _finish(audit.combine(runs, {}), runs, tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert code == 0
    assert "WARNING: DEPENDENCY AUDIT INCOMPLETE - THIS IS NOT A PASS" in out
    assert "Not audited: wagtail==8.0.1" in out and "osv: not reachable" in out
    assert "no known vulnerabilities" not in out
    assert recorded["status"] == "incomplete" and list(recorded["unaudited"]) == ["wagtail==8.0.1"]


def test_a_required_audit_fails_when_incomplete(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_AUDIT_REQUIRED", "1")
    runs = [_unreachable("pypi"), _unreachable("osv")]
    code, recorded = _finish(audit.combine(runs, {}), runs, tmp_path, monkeypatch)
    assert code == 2 and recorded["status"] == "incomplete"


def test_a_package_either_service_audited_counts_as_audited(tmp_path, monkeypatch, capsys):
    skipped = SKIPPED_WAGTAIL
    osv = audit.parse_report("osv", {"dependencies": [{"name": "wagtail", "version": "8.0.1", "vulns": []}]})
    runs = [_pypi(skipped), osv]
    code, recorded = _finish(audit.combine(runs, {}), runs, tmp_path, monkeypatch)
    assert code == 0 and recorded["status"] == "clean"
    assert "1 pinned packages audited, no known vulnerabilities" in capsys.readouterr().out
