"""prod-check: brings up on this machine what deploy/ describes and checks it through nginx.

    .venv/bin/python -m tests.prodcheck [--keep] [--measure SECONDS]
    .venv/bin/python -m tests.prodcheck --prepare-only   # only build the template database


Prints each step and a summary; exits 1 if any step FAILED, or was SKIPPED without being named in
PRODCHECK_ALLOW_SKIP (comma-separated step keys). See tests/prodcheck/README.md.
"""

from __future__ import annotations

import argparse
import signal
import subprocess

import psycopg
import redis

from tests.prodcheck import backups, checks, conditional, failover, objectstore, throughput
from tests.prodcheck.client import Browser
from tests.prodcheck.report import Report, Skip, expect
from tests.prodcheck.stack import Stack, free_port


def services(stack: Stack) -> list[str]:
    with psycopg.connect(stack.admin_url, connect_timeout=5) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    expect(redis.Redis.from_url(stack.redis_url).ping(), f"Redis at {stack.redis_url} does not answer")
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
    return [f"PostgreSQL {version} at {stack.admin_url.rsplit('@', 1)[-1]}, Redis {stack.redis_url}",
            nginx.stderr.strip() or "nginx: not installed yet"]  # fmt: skip


def start_object_store(stack: Stack) -> list[str]:
    objectstore.available()
    store = objectstore.ObjectStore(port=free_port(), bucket="prodcheck-media")
    store.start(stack.tmp / "logs" / "moto.log")
    stack.object_store = store
    return [f"moto S3 server at {store.endpoint}, bucket {store.bucket}; app settings {sorted(store.app_env())}"]


def photo_in_object_store(stack: Stack) -> list[str]:
    if stack.object_store is None:
        objectstore.available()  # raises Skip with the reason
        raise Skip("the object store did not start (see its step)")
    keys = stack.object_store.keys(stack.object_store.bucket)
    photos = [k for k in keys if k.lower().endswith((".jpg", ".jpeg"))]
    expect(photos, f"no photo in bucket {stack.object_store.bucket}: uploads did not go to the object store")
    local = [p for p in stack.media.rglob("*") if p.is_file()]
    expect(not local, f"uploads were also written to MEDIA_ROOT: {local[:3]}")
    return [f"{len(photos)} photo object(s) in bucket {stack.object_store.bucket}, none on local disk"]


def _stopped(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, configs)")
    parser.add_argument("--measure", type=float, default=0, help="afterwards, measure requests/s for this many seconds")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="stop after the prepare step: the migrated and seeded template database is kept for the next run"
        " (CI builds it at low priority while the suite runs)",
    )
    options = parser.parse_args(argv)

    # Stopped with SIGTERM (CI cancelled, or .ci/run exiting early while prod-check runs in the
    # background), it still stops the processes it started and drops its databases (the finally below).
    signal.signal(signal.SIGTERM, _stopped)
    report = Report()
    stack = Stack.create()
    print(f"prod-check in {stack.tmp}")
    try:
        steps = [
            ("services", "PostgreSQL, Redis and nginx are there", lambda: services(stack)),
            ("object_store", "object store (moto S3 server) started", lambda: start_object_store(stack)),
            ("prepare", "settings from deploy/env.example; migrate, collectstatic, demo data",
             lambda: (stack.build_env(), stack.prepare_database())[1]),
            ("nginx", "nginx from deploy/nginx/renovation.conf", stack.start_nginx),
            ("nodes", "two app nodes from deploy/systemd (gunicorn + uvicorn each)",
             lambda: [stack.start_node(n) for n in stack.nodes] and stack.wait_healthy()),
        ]  # fmt: skip
        for key, title, body in steps:
            with report.step(key, title) as step:
                step.details.extend(body() or [])
            if not report.ok(key) and key not in ("object_store",):
                return report.summary()
            if options.prepare_only and key == "prepare":
                return report.summary("PROD-CHECK PREPARE (template kept, nothing checked)")
        browser = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
        later = [
            ("worker", "task worker from deploy/systemd/renovation-worker.service", stack.start_worker),
            ("public", "public pages through nginx", lambda: checks.public_pages(stack, browser)),
            ("conditional", "a browser's If-None-Match answered 304 through nginx: microcache hit, miss, revalidated",
             lambda: conditional.revalidation(stack, browser)),
            ("readyz", "/readyz through nginx", lambda: checks.readiness(stack, browser)),
            ("sign_in", "sign-in with CSRF through nginx", lambda: checks.sign_in(stack, browser)),
            ("photo", "supervisor's photo upload served back upright without GPS",
             lambda: checks.photo_upload(stack, browser)),
            ("object_store_photo", "the photo is in the object store", lambda: photo_in_object_store(stack)),
            ("cross_node", "comment posted through node A arrives on a socket on node B",
             lambda: checks.cross_node_comment(stack, browser)),
            ("excel_import", "Excel plan import runs on the worker", lambda: checks.excel_import(stack)),
            ("failover", "stop node A under traffic: nothing fails beyond what A had in flight, no comment lost",
             lambda: failover.stop_node_under_traffic(stack, browser)),
            ("backup", "backup.sh, restore.sh into a new database, exact comparison",
             lambda: backups.backup_and_restore(stack)),
        ]  # fmt: skip
        if options.measure:
            later.append(("measure", "requests/s through nginx to the remaining node",
                          lambda: throughput.measure(stack, options.measure)))  # fmt: skip
        for key, title, body in later:
            with report.step(key, title) as step:
                step.details.extend(body() or [])
        return report.summary()
    finally:
        if any(s.outcome == "FAILED" for s in report.steps):
            for process in stack.processes:
                print(f"\n--- last lines of {process.name} ({process.log})\n{process.tail(15)}")
        stack.close(keep=options.keep)
