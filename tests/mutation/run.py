"""Mutation testing of the calculations behind public figures and of the seal (``make mutation``).

Reads ``targets.toml`` (each target: a module, optionally some of its functions, and the tests that
exercise it; equivalent mutants with the reason they change no behaviour). For each target whose
module, tests or this tool changed since the last run — a content hash stored in the committed
``results.json`` — it runs the tests once unmutated and once per mutant in a single pytest
process (``plugin.py``), on a throw-away SQLite test database migrated once. It fails when a
mutant survives that is not listed as equivalent, or when a listed equivalent no longer exists.

    python -m tests.mutation.run              # targets whose hash changed
    python -m tests.mutation.run --all        # every target, ignoring the stored results
    python -m tests.mutation.run progress     # the named targets only
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARGETS = HERE / "targets.toml"
RESULTS = HERE / "results.json"
TOOL_FILES = ("mutants.py", "plugin.py", "run.py")


def _test_files(target: dict[str, Any]) -> list[Path]:
    """The listed tests and the fixtures they can reach (conftest, fixtures, factories up the tree)."""
    files: set[Path] = set()
    for entry in target["tests"]:
        path = ROOT / entry.split("::")[0]
        files.update(path.rglob("*.py") if path.is_dir() else [path])
        folder = path if path.is_dir() else path.parent
        while folder != ROOT.parent and ROOT in (folder, *folder.parents):
            files.update(folder / name for name in ("conftest.py", "fixtures.py", "factories.py"))
            folder = folder.parent
    return sorted(path for path in files if path.is_file())


def target_hash(target: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    spec = importlib.util.find_spec(target["module"])
    assert spec is not None and spec.origin, target["module"]
    parts = [Path(spec.origin), *_test_files(target), *(HERE / name for name in TOOL_FILES)]
    for path in parts:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps([target.get("functions"), target["tests"]]).encode())
    digest.update(f"pytest {pytest.__version__} python {sys.version_info[:2]}".encode())
    return digest.hexdigest()


def _run(target: dict[str, Any], database: Path, *, create: bool) -> dict[str, Any]:
    spec = target["module"] + (":" + ",".join(target["functions"]) if target.get("functions") else "")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        report_path = Path(handle.name)
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["TEST_SQLITE_PATH"] = str(database)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.mutation.plugin",
        "--mutate",
        spec,
        "--mutation-report",
        str(report_path),
        "--create-db" if create else "--reuse-db",
        "-p",
        "no:cacheprovider",
        "-q",
        "--no-header",
        "-rN",
        *target["tests"],
    ]
    log = database.with_suffix(f".{target['name']}.log")
    with open(log, "w", encoding="utf-8") as output:
        subprocess.run(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, check=False)
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        tail = log.read_text(encoding="utf-8")[-3000:]
        raise SystemExit(f"{target['name']}: the mutation run produced no report ({error}):\n{tail}") from error
    finally:
        report_path.unlink(missing_ok=True)
    if report["baseline_failed"]:
        tail = log.read_text(encoding="utf-8")[-3000:]
        raise SystemExit(f"{target['name']}: the tests fail without any mutant: {report['baseline_failed']}\n{tail}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="targets to run (default: all whose hash changed)")
    parser.add_argument("--all", action="store_true", help="run even when the stored hash matches")
    args = parser.parse_args(argv)

    config = tomllib.loads(TARGETS.read_text(encoding="utf-8"))
    targets = config["targets"]
    equivalent: dict[str, dict[str, str]] = {}
    for entry in config.get("equivalent", []):
        equivalent.setdefault(entry["target"], {})[entry["mutant"]] = entry["reason"]
    unknown = set(args.names) - {target["name"] for target in targets}
    if unknown:
        parser.error(f"no such target: {', '.join(sorted(unknown))}")
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}

    failed = False
    created = False
    with tempfile.TemporaryDirectory(prefix="mutation-") as folder:
        database = Path(folder) / "test.sqlite3"
        for target in targets:
            name = target["name"]
            if args.names and name not in args.names:
                continue
            digest = target_hash(target)
            stored = results.get(name)
            if stored and stored["hash"] == digest and not args.all:
                print(f"{name}: unchanged, {stored['killed']}/{stored['total']} killed (cached)")
            else:
                started = time.monotonic()
                report = _run(target, database, create=not created)
                created = True
                mutants = report["mutants"]
                stored = {
                    "hash": digest,
                    "killed": sum(1 for mutant in mutants if mutant["killed_by"]),
                    "total": len(mutants),
                    "survivors": [mutant["description"] for mutant in mutants if not mutant["killed_by"]],
                    "seconds": round(time.monotonic() - started),
                }
                results[name] = stored
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                print(f"{name}: {stored['killed']}/{stored['total']} killed in {stored['seconds']} s")
            listed = equivalent.get(name, {})
            for survivor in stored["survivors"]:
                if survivor in listed:
                    print(f"  equivalent: {survivor}  ({listed[survivor]})")
                else:
                    failed = True
                    print(f"  SURVIVED: {survivor}")
            for stale in sorted(set(listed) - set(stored["survivors"])):
                failed = True
                print(f"  listed as equivalent but no longer a survivor (remove it): {stale}")
    if failed:
        print("Mutation testing failed: write the test that kills each survivor, or list it as equivalent with why.")
        return 1
    print("Mutation testing passed: every behaviour-changing mutant is killed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
