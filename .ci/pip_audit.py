"""Known-vulnerability audit of the pinned requirements (requirements/*.txt) with pip-audit.

Run by .ci/run. Three outcomes, never a silent pass:

- a known vulnerability not in .ci/pip-audit-ignore.txt: the table, exit 1 (the run fails);
- every pinned package audited, nothing found: one line saying so, exit 0;
- a package that no vulnerability service could audit (the service unreachable, or it answered
  "not found"): a WARNING banner naming each such package and why, exit 0 unless
  PIP_AUDIT_REQUIRED=1 (then exit 2). pip-audit itself exits 0 in that case, having printed
  "No known vulnerabilities found" above its list of skipped packages.

Each run writes its outcome to $CI_RECORDS_DIR/pip-audit.json (default ci-records/).

The ignore file takes one vulnerability id per line followed by the reason it does not apply
(``GHSA-xxxx-xxxx-xxxx  only the CLI is affected; we never run it``); an entry without a reason
stops the run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = sorted((ROOT / "requirements").glob("*.txt"))
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"
# PyPI's JSON API first (pip-audit's default), then OSV: a package counts as audited when either
# service answered for it.
SERVICES = ("pypi", "osv")


@dataclass
class ServiceRun:
    service: str
    error: str = ""  # the service could not be asked at all
    audited: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # (name, version) -> vulns
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, version) -> reason


def read_ignore_list(path: Path = IGNORE_FILE) -> dict[str, str]:
    ignored: dict[str, str] = {}
    if not path.exists():
        return ignored
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {vuln_id} has no reason; say why it does not apply")
        ignored[vuln_id] = reason.strip()
    return ignored


def parse_report(service: str, report: dict) -> ServiceRun:
    run = ServiceRun(service)
    for dependency in report.get("dependencies", []):
        reason = dependency.get("skip_reason") or ""
        # A skipped package comes without its version; the reason ends with "name (version)".
        version = dependency.get("version") or next(iter(re.findall(r"\(([^()\s]+)\)$", reason)), "?")
        key = (dependency["name"].lower(), version)
        if reason:
            run.skipped[key] = dependency["skip_reason"]
        else:
            run.audited[key] = dependency.get("vulns", [])
    return run


def run_service(service: str, requirements: list[Path]) -> ServiceRun:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--progress-spinner", "off"]
        command += ["-s", service, "-f", "json", "-o", str(output), "--timeout", "20"]
        for requirement in requirements:
            command += ["-r", str(requirement)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if not output.exists() or not output.read_text().strip():
            lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
            return ServiceRun(service, error=lines[-1][:300] if lines else f"pip-audit exited {result.returncode}")
        return parse_report(service, json.loads(output.read_text()))


@dataclass
class Outcome:
    packages: list[tuple[str, str]]
    unaudited: dict[tuple[str, str], list[str]]  # package -> why each service could not audit it
    findings: list[tuple[str, str, dict]]  # (name, version, vuln)
    ignored: list[tuple[str, str, dict, str]]

    @property
    def status(self) -> str:
        if self.findings:
            return "vulnerable"
        return "incomplete" if self.unaudited else "clean"


def combine(runs: list[ServiceRun], ignore: dict[str, str]) -> Outcome:
    packages = sorted({key for run in runs for key in (*run.audited, *run.skipped)})
    unaudited: dict[tuple[str, str], list[str]] = {}
    findings, ignored, seen = [], [], set()
    for key in packages:
        answered = [run for run in runs if key in run.audited]
        if not answered:
            unaudited[key] = [f"{run.service}: {run.skipped.get(key) or run.error or 'no answer'}" for run in runs]
        for run in answered:
            for vuln in run.audited[key]:
                ids = {vuln["id"], *vuln.get("aliases", [])}
                if (key, vuln["id"]) in seen or any((key, alias) in seen for alias in ids):
                    continue
                seen |= {(key, identifier) for identifier in ids}
                reason = next((ignore[identifier] for identifier in ids if identifier in ignore), None)
                if reason:
                    ignored.append((*key, vuln, reason))
                else:
                    findings.append((*key, vuln))
    # A service that could not be asked at all leaves every package it would have covered unaudited.
    if not packages and all(run.error for run in runs):
        unaudited[("*", "*")] = [f"{run.service}: {run.error}" for run in runs]
    return Outcome(packages, unaudited, findings, ignored)


def record(outcome: Outcome, runs: list[ServiceRun]) -> Path:
    directory = Path(os.environ.get("CI_RECORDS_DIR", ROOT / "ci-records"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pip-audit.json"
    path.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "status": outcome.status,
                "requirements": [str(path.relative_to(ROOT)) for path in REQUIREMENTS],
                "packages": len(outcome.packages),
                "services": service_summary(runs),
                "unaudited": {f"{name}=={version}": why for (name, version), why in outcome.unaudited.items()},
                "vulnerabilities": [
                    {"package": f"{name}=={version}", "id": vuln["id"], "fix_versions": vuln.get("fix_versions", [])}
                    for name, version, vuln in outcome.findings
                ],
                "ignored": [
                    {"package": f"{name}=={version}", "id": vuln["id"], "reason": reason}
                    for name, version, vuln, reason in outcome.ignored
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    return path


def service_summary(runs: list[ServiceRun]) -> list[str]:
    """One line per service: why it could not answer (reasons without the package names)."""
    lines = []
    for run in runs:
        if run.error:
            lines.append(f"{run.service}: not reachable: {run.error}")
            continue
        reasons: dict[str, int] = {}
        for reason in run.skipped.values():
            general = reason.split(": ")[0] if ": " in reason else reason
            reasons[general] = reasons.get(general, 0) + 1
        told = "; ".join(f"{reason} ({count} packages)" for reason, count in reasons.items())
        lines.append(f"{run.service}: {len(run.audited)} audited" + (f"; {told}" if told else ""))
    return lines


def report(outcome: Outcome, runs: list[ServiceRun], record_path: Path) -> int:
    for name, version, vuln, reason in outcome.ignored:
        print(f"pip-audit: ignoring {vuln['id']} in {name}=={version}: {reason}")
    if outcome.findings:
        print(f"pip-audit: {len(outcome.findings)} known vulnerabilities in the pinned requirements:")
        for name, version, vuln in outcome.findings:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"  {name}=={version}  {vuln['id']}  fixed in: {fixes}")
        print("Upgrade the pin, or add the id to .ci/pip-audit-ignore.txt with the reason it does not apply.")
        print(f"(record: {record_path})")
        return 1
    if outcome.unaudited:
        banner = "!" * 78
        print(banner)
        print("WARNING: DEPENDENCY AUDIT INCOMPLETE - THIS IS NOT A PASS")
        print(f"{len(outcome.unaudited)} of {len(outcome.packages) or '?'} pinned packages were NOT checked for known")
        print("vulnerabilities: no vulnerability service could answer for them.")
        for line in service_summary(runs):
            print(f"  {line}")
        print("Not audited: " + ", ".join(f"{name}=={version}" for name, version in sorted(outcome.unaudited)))
        print(f"Recorded in {record_path}. Run `python .ci/pip_audit.py` where PyPI's JSON API or")
        print("api.osv.dev is reachable before release.")
        print(banner)
        return 2 if os.environ.get("PIP_AUDIT_REQUIRED") == "1" else 0
    audited = len(outcome.packages)
    print(f"pip-audit: {audited} pinned packages audited, no known vulnerabilities (record: {record_path})")
    return 0


def main() -> int:
    ignore = read_ignore_list()
    runs = [run_service(service, REQUIREMENTS) for service in SERVICES]
    outcome = combine(runs, ignore)
    return report(outcome, runs, record(outcome, runs))


if __name__ == "__main__":
    sys.exit(main())
