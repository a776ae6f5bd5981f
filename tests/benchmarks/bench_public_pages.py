"""Public pages against the ceiling: each page's requests a second as a share of a bare Django page.

Two gunicorn servers (2 sync workers each, production settings, PostgreSQL, CONN_MAX_AGE=60,
Redis), one with the public page cache on and one with it off, serve the site plus a bare page
(tests/benchmarks/bench_urls.py: a 2 KB template, no database, the same middleware). For each
public page, in rounds: bare, the page cached, bare, the page uncached, each for ``--seconds``
with ``--clients`` concurrent connections; a share is the page's rate over the bare rate
measured next to it on the same server. Then the data is multiplied (tests/benchmarks/
public_data.py, default ten times) and everything runs again. Queries per page are counted in
process (cache off), at both sizes.

A report, not a test: a table, one JSON line, exit 0. Aims (printed, never asserted): cached ≥ 50%
of the bare page, uncached ≥ 15%, ten times the data changes uncached time by ≤ 1.2× and queries
not at all.

    cd /work/main && .venv/bin/python tests/benchmarks/bench_public_pages.py [--rounds 3 --seconds 2]
        [--pages '/projects/oc4ids.json,/open-data/projects.csv']   # a subset, by the table's names
        [--page-size 30]   # the bulk files' and the API's rows per page: a full first page at both sizes

The client asks as browsers do, with ``Accept-Encoding: gzip`` (``fetch``).

It creates and drops its own PostgreSQL database (renovation_bench_pages_<pid>), migrated and
seeded, or copied from ``--template`` (a database that holds the demo as seeded), and uses Redis
database 11 (``--redis-url``), which it flushes.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

AIM_CACHED = 0.50
AIM_UNCACHED = 0.15
AIM_GROWTH = 1.2
BARE = "/__bench__/bare/"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--factor", type=int, default=10, help="how many times the demo data for the second run")
    parser.add_argument(
        "--template",
        default=os.environ.get("BENCH_TEMPLATE", ""),
        help="a migrated database holding the demo as seeded, copied instead of migrating and seeding (faster);"
        " its bids' seal keys in BENCH_BID_SEAL_KEYS",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="only these pages, by their names in the table, comma-separated (e.g."
        " '/projects/oc4ids.json,/open-data/projects.csv'); the bare page runs beside each as always",
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=0,
        help="rows per page of the paged bulk files and the API for this run (default: the product's, 100 and"
        " API_PAGE_SIZE), e.g. 30 so that their first page is full, and the same, at both sizes",
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a server and a database to connect to while creating and dropping the benchmark's own",
    )
    return parser.parse_args()


def why_not_runnable(args: argparse.Namespace) -> str | None:
    try:
        import redis

        redis.Redis.from_url(args.redis_url, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"Redis at {args.redis_url} does not answer: {error}"
    try:
        import psycopg

        psycopg.connect(args.postgres_url, connect_timeout=3).close()
    except Exception as error:
        return f"PostgreSQL at {args.postgres_url} does not answer: {error}"
    return None


# --- the database and the data ------------------------------------------------------------------


def database_create(admin_url: str, name: str, template: str = "") -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def database_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *command: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def multiply(env: dict[str, str], factor: int) -> None:
    command = [sys.executable, "-m", "tests.benchmarks.public_data", "--factor", str(factor)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"public_data failed:\n{result.stderr[-3000:]}")


PROBE = r"""
import json, sys
from urllib.parse import quote
import django
django.setup()
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from cms.models import ProjectPage
from renovation.tendering.models import Tender, TenderRelease
import tests.benchmarks.bench_urls  # the servers' URLs: --page-size (BENCH_BULK_PAGE_SIZE) applies here too

page = ProjectPage.objects.filter(title__contains="虹桥新村二期").order_by("pk").first()
page = page or ProjectPage.objects.order_by("pk").first()
tender = (Tender.objects.exclude(status="draft").filter(pk__in=TenderRelease.objects.values("tender"))
          .order_by("-pk").first())
# An awarded tender with a signed contract, the one with most change orders: its page shows the
# opening record, the evaluation, the award, the contract and the street's red flags.
awarded = (Tender.objects.filter(status="awarded", award__contract__isnull=False)
           .annotate(changes=Count("award__contract__change_orders")).order_by("-changes", "-pk").first())
urls = {"/": "/", "/projects/": "/projects/", "project page": page.url, "change log": page.url + "changes/",
        "/streets/": "/streets/", "/tenders/": "/tenders/", "a tender": f"/tenders/{tender.pk}/",
        "an awarded tender": f"/tenders/{awarded.pk}/",
        "/tenders/ocds.json": "/tenders/ocds.json", "a tender's OCDS": f"/tenders/{tender.pk}/ocds.json",
        "an awarded's OCDS": f"/tenders/{awarded.pk}/ocds.json",
        "/open-data/": "/open-data/", "/open-data/projects.csv": "/open-data/projects.csv",
        "/projects/oc4ids.json": "/projects/oc4ids.json", "its feed": quote(f"/projects/{page.project.slug}/feed/"),
        "/api/v1/projects/": "/api/v1/projects/"}
client = Client(HTTP_HOST="127.0.0.1")
queries = {}
for name, url in urls.items():
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code)
    queries[name] = {"queries": len(captured), "bytes": len(body)}
print(json.dumps({"urls": urls, "queries": queries}))
"""


def probe(env: dict[str, str]) -> dict[str, Any]:
    """Each page's URL, its queries and its size, counted in process with the cache off."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**env, "PUBLIC_CACHE": "0"}, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"probe failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- servers and load ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


@dataclass
class Server:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Any = field(default_factory=tempfile.TemporaryFile)

    def launch(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "renovation.wsgi:application", "--workers", "2"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_until_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.stderr()}")
            try:
                if fetch(self.port, BARE)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.stderr()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]


def fetch(port: int, path: str) -> tuple[int, int]:
    """One HTTP/1.0 GET (gunicorn's sync workers close each connection); (status, bytes received).

    It says ``Accept-Encoding: gzip`` as every browser does, and as nginx passes it on (deploy/
    nginx): a stored page kept compressed (renovation/public/compression.py) comes back
    compressed, and is counted and not decompressed, as nginx would relay it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n".encode())
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    return int(data.split(b" ", 2)[1]), len(data)


def rate(port: int, path: str, seconds: float, clients: int) -> float:
    """Requests a second over ``seconds`` with ``clients`` connections in turn (non-200 is an error)."""
    done = [0] * clients
    errors: list[str] = []
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        while time.monotonic() < stop_at:
            status, _size = fetch(port, path)
            if status != 200:
                errors.append(f"{path}: HTTP {status}")
                return
            done[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return sum(done) / (time.monotonic() - started)


def chosen(urls: dict[str, str], pages: str) -> dict[str, str]:
    """The pages ``--pages`` names (all when empty); an unknown name is an error naming the known."""
    if not pages:
        return urls
    names = [name.strip() for name in pages.split(",") if name.strip()]
    unknown = [name for name in names if name not in urls]
    if unknown:
        raise SystemExit(f"--pages: no page named {', '.join(unknown)}; the pages: {', '.join(urls)}")
    return {name: urls[name] for name in names}


def measure(cached: Server, uncached: Server, urls: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Per page: bare and page rates on each server, interleaved round by round; median shares."""
    results: dict[str, Any] = {}
    for name, url in urls.items():
        fetch(cached.port, url)  # stored now
        shares: dict[str, list[float]] = {"cached": [], "uncached": []}
        rates: dict[str, list[float]] = {"cached": [], "uncached": [], "bare": []}
        for _round in range(args.rounds):
            for label, server in (("cached", cached), ("uncached", uncached)):
                bare = rate(server.port, BARE, args.seconds, args.clients)
                page = rate(server.port, url, args.seconds, args.clients)
                shares[label].append(page / bare)
                rates[label].append(page)
                rates["bare"].append(bare)
        results[name] = {
            "cached_share": statistics.median(shares["cached"]),
            "uncached_share": statistics.median(shares["uncached"]),
            "cached_rps": statistics.median(rates["cached"]),
            "uncached_rps": statistics.median(rates["uncached"]),
            "bare_rps": statistics.median(rates["bare"]),
        }
    return results


# --- the run ---------------------------------------------------------------------------------------


def server_env(base: dict[str, str], database_url: str, redis_url: str, static_root: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CONN_MAX_AGE": "60",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE_ANON": "1000000/minute",  # one address asks thousands of times a second
        # A --template database was sealed with its own keys: name them in BENCH_BID_SEAL_KEYS.
        "BID_SEAL_KEYS": os.environ.get("BENCH_BID_SEAL_KEYS") or Fernet.generate_key().decode(),
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        "PYTHONPATH": str(ROOT),
    }


def settle(env: dict[str, str]) -> None:
    """Do what production's worker does within seconds of a change: run the queued jobs and bring
    every project page's stored summary (cms.summary), the home page's (cms.home_summary), the
    project index's kept totals (cms.index_counts), the street league table's (renovation/evaluation/
    stored.py), an opened tender's sections (renovation/tendering/tender_summary.py) and every project's open-data texts
    (renovation/opendata/stored.py) up to date. Without it the benchmark
    measured the pages' live fallback (the project page's 31 queries) instead of the pages as served.
    Then the database's statistics are gathered (ANALYZE), as autovacuum keeps them on a live site."""
    manage(env, "jobs_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0")
    refresh = (
        "from cms.summary import project_summaries_refresh; project_summaries_refresh(); "
        "from renovation.opendata.stored import project_open_data_refresh; project_open_data_refresh()"
    )
    manage(env, "shell", "-v", "0", "-c", refresh)
    # The home page's stored sections (cms.home_summary) and the index's totals (cms.index_counts),
    # which the clock keeps the same way.
    refresh = (
        "from cms.home_summary import home_summary_refresh; home_summary_refresh(); "
        "from cms.index_counts import index_counts_refresh; index_counts_refresh(); "
        # The league table's kept rendering (renovation/evaluation/stored.py), marked stale first:
        # the ×10 generator's bulk copies report no change, and it must show the copies.
        "from renovation.evaluation.services import street_league_summaries_mark_stale; "
        "street_league_summaries_mark_stale(); "
        "from renovation.evaluation.stored import street_league_refresh; street_league_refresh(); "
        # An opened tender's kept sections (renovation/tendering/tender_summary.py), as the clock.
        "from renovation.tendering.tender_summary import tender_summaries_refresh; tender_summaries_refresh()"
    )
    manage(env, "shell", "-v", "0", "-c", refresh)
    # Planner statistics, as production's autovacuum keeps them: without them PostgreSQL took a
    # freshly seeded table for a row or two and chose plans a live site never runs.
    analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
    manage(env, "shell", "-v", "0", "-c", analyze)


def run_size(label: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    found = probe({**env, "DJANGO_SETTINGS_MODULE": "renovation.settings.dev", "REDIS_URL": "", "DEBUG": "0"})
    cached = Server({**env, "PUBLIC_CACHE": "1"})
    uncached = Server({**env, "PUBLIC_CACHE": "0"})
    try:
        for server in (cached, uncached):
            server.launch()
        for server in (cached, uncached):
            server.wait_until_ready()
        pages = measure(cached, uncached, chosen(found["urls"], args.pages), args)
    finally:
        for server in (cached, uncached):
            server.stop()
    for name, figures in pages.items():
        figures.update(found["queries"][name])
    print(f"measured {label}", file=sys.stderr)
    return pages


def report(sizes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    demo, big = sizes["demo"], sizes["x10"]
    print(f"{'page':<22}{'size':>6}{'cached':>9}{'uncached':>10}{'queries':>9}{'bytes':>10}{'bare/s':>9}")
    for name in demo:
        for label, figures in (("demo", demo[name]), ("x10", big[name])):
            print(
                f"{name if label == 'demo' else '':<22}{label:>6}{figures['cached_share']:>9.1%}"
                f"{figures['uncached_share']:>10.1%}{figures['queries']:>9}{figures['bytes']:>10}"
                f"{figures['bare_rps']:>9.0f}"
            )
    growth = {name: demo[name]["uncached_share"] / big[name]["uncached_share"] for name in demo}
    print(f"\naims: cached ≥ {AIM_CACHED:.0%} of the bare page, uncached ≥ {AIM_UNCACHED:.0%}, ")
    print(f"x10 data: uncached time ≤ {AIM_GROWTH}× (growth below), queries unchanged")
    for name in demo:
        same = "same queries" if demo[name]["queries"] == big[name]["queries"] else "QUERIES CHANGED"
        flags = []
        if big[name]["cached_share"] < AIM_CACHED:
            flags.append("cached below aim")
        if big[name]["uncached_share"] < AIM_UNCACHED:
            flags.append("uncached below aim")
        if growth[name] > AIM_GROWTH:
            flags.append("grows")
        print(f"  {name:<22} uncached time ×{growth[name]:.2f}, {same}{'; ' + ', '.join(flags) if flags else ''}")
    return {"sizes": sizes, "growth": growth}


def main() -> None:
    args = parse_args()
    reason = why_not_runnable(args)
    if reason:
        print(f"bench_public_pages: not run: {reason}")
        return
    name = f"renovation_bench_pages_{os.getpid()}"
    database_url = database_create(args.postgres_url, name, args.template)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    base = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    if args.page_size:
        base.update(API_PAGE_SIZE=str(args.page_size), BENCH_BULK_PAGE_SIZE=str(args.page_size))
    env = server_env(base, database_url, args.redis_url, static_root)
    setup_env = {**env, "DJANGO_SETTINGS_MODULE": "renovation.settings.dev", "REDIS_URL": "", "PUBLIC_CACHE": "0"}
    try:
        if not args.template:
            manage(setup_env, "migrate", "--noinput", "-v", "0")
            manage(setup_env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        settle(setup_env)
        sizes = {"demo": run_size("demo", env, args)}
        multiply(setup_env, args.factor)
        settle(setup_env)
        sizes["x10"] = run_size(f"x{args.factor}", env, args)
        print(json.dumps(report(sizes), ensure_ascii=False))
    finally:
        database_drop(args.postgres_url, name)


if __name__ == "__main__":
    main()
