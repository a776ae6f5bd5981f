"""Benchmark (a report, not a test): import and validate the annual plan from Excel.

Builds workbooks of 1,000 and 10,000 work-item rows (one project per 5 items), imports each into
a fresh database and reports the time and the number of SQL queries for reading + checking, and
for the whole import (pages for new projects excluded: Wagtail makes those one page at a time,
afterwards). The aim: queries independent of the row count.

    cd /work/main && .venv/bin/python tests/benchmarks/bench_plan_import.py [--rows 1000 10000]

Uses PostgreSQL when DATABASE_URL points at a server database you can create databases on
(a scratch database is made and dropped); otherwise a temporary SQLite file. SQLite splits bulk
inserts into batches of 999 parameters, so there the count grows slowly with the rows.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _database_url() -> tuple[str, callable]:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"renovation_bench_import_{os.getpid()}"
        admin = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return base.rsplit("/", 1)[0] + f"/{name}", drop
    folder = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["SQLITE_PATH"] = os.path.join(folder, "bench.sqlite3")
    return "", lambda: None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    url, drop = _database_url()
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.test")
    # The import job runs in this process as the upload's transaction commits (no worker to wait for).
    os.environ["TASKS_BACKEND"] = "immediate"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        results = [_measure(rows) for rows in args.rows]
    finally:
        from django.db import connections

        connections.close_all()
        drop()
    print(f"{'rows':>8} {'read+check s':>13} {'queries':>8} {'import s':>9} {'queries':>8}")
    for result in results:
        print(
            f"{result['rows']:>8} {result['read_seconds']:>13.2f} {result['read_queries']:>8} "
            f"{result['import_seconds']:>9.2f} {result['import_queries']:>8}"
        )
    print(json.dumps({"benchmark": "plan_import", "database": "postgresql" if url else "sqlite", "results": results}))


def _measure(rows: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook
    from wagtail import hooks

    from renovation.accounts.models import StaffRole
    from renovation.accounts.services import staff_account_ensure
    from renovation.places.models import Street
    from renovation.planning.models import PlanImport
    from renovation.planning.reading import read_plan
    from renovation.planning.services import plan_import_start
    from renovation.planning.template import plan_template

    street, _ = Street.objects.get_or_create(code=f"bench{rows}", defaults={"name": f"测试街道{rows}"})
    user = (
        get_user_model().objects.filter(username="bench").first()
        or staff_account_ensure(
            username="bench", role=StaffRole.BUREAU, street=None, display_name="bench", password="x"
        )[0]
    )
    workbook = load_workbook(io.BytesIO(plan_template()))
    projects = max(rows // 5, 1)
    for n in range(projects):
        workbook["项目"].append(
            [
                f"B{rows}-{n}",
                street.name,
                "社区",
                f"小区{rows}-{n}",
                1990,
                200,
                2026,
                100000,
                0,
                0,
                0,
                0,
                "2026-03-01",
                "2026-11-30",
            ]
        )
    for n in range(rows):
        workbook["改造内容"].append([f"B{rows}-{n // 5}", "建筑", f"内容{n % 5}", 10, "m²", 20000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as read_queries:
        plan = read_plan(io.BytesIO(content), known_project_codes=[])
    read_seconds = time.perf_counter() - started
    assert not plan.problems, plan.problems[:3]

    original = hooks.get_hooks
    hooks.get_hooks = lambda name: [] if name == "after_plan_import" else original(name)
    try:
        upload = SimpleUploadedFile("bench.xlsx", content)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as import_queries:
            record = plan_import_start(actor=user, upload=upload)
        import_seconds = time.perf_counter() - started
    finally:
        hooks.get_hooks = original
    record.refresh_from_db()
    assert record.status == PlanImport.Status.DONE, record.errors[:3]
    return {
        "rows": rows,
        "projects": projects,
        "read_seconds": round(read_seconds, 3),
        "read_queries": len(read_queries),
        "import_seconds": round(import_seconds, 3),
        "import_queries": len(import_queries),
    }


if __name__ == "__main__":
    main()
