"""Requests per second through nginx to one app node (gunicorn, production settings, PostgreSQL),
and the CPU each request costs that node's gunicorn workers, for the sizing in deploy/README.md.

Closed loop: C clients on this machine, each sends its next request when the last is answered.
On a shared machine the rate says how busy the machine was; the CPU milliseconds per request
(read from /proc for the node's gunicorn workers) do not, and they are what the sizing divides by.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

from tests.prodcheck.checks import _thread_id
from tests.prodcheck.client import Browser, links, open_thread_socket
from tests.prodcheck.report import expect
from tests.prodcheck.stack import Stack

CLIENTS = 4
SOCKETS = 300
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_by_pid(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return found


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _hold_sockets(stack: Stack, thread_id: int, pid: int) -> tuple[float, float]:
    """Opens SOCKETS live-thread sockets through nginx (all on the one node left): the uvicorn
    process's CPU per handshake and its memory per open socket."""
    cpu_before, rss_before = _cpu_by_pid([pid])[pid], _rss_mb(pid)
    sockets = []
    for _ in range(SOCKETS // 20):
        batch = [open_thread_socket(port=stack.https_port, thread_id=thread_id, cert=stack.cert) for _ in range(20)]
        sockets += await asyncio.gather(*batch)
    await asyncio.sleep(2)
    cpu, rss = _cpu_by_pid([pid])[pid] - cpu_before, _rss_mb(pid) - rss_before
    await asyncio.gather(*(socket.close() for socket in sockets))
    return 1000 * cpu / SOCKETS, 1024 * rss / SOCKETS


def _workers(master: int) -> list[int]:
    return [int(pid) for c in Path(f"/proc/{master}/task").glob("*/children") for pid in c.read_text().split()]


def _postgres_backends(stack: Stack) -> list[int]:
    """The PostgreSQL server processes serving this run's database (same machine)."""
    with psycopg.connect(stack.admin_url) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (stack.database,)
        )
        return [row[0] for row in rows]


class CpuMeter:
    """CPU used by the node's gunicorn workers and the database's PostgreSQL backends, sampled
    twice a second: gunicorn replaces workers (--max-requests) and they take new connections, so a
    process that appears counts from zero and one that goes counts up to its last sample."""

    def __init__(self, stack: Stack, master: int) -> None:
        self.stack, self.master = stack, master
        self.first: dict[str, dict[int, float]] = {"app": {}, "db": {}}
        self.last: dict[str, dict[int, float]] = {"app": {}, "db": {}}
        self.sample(first=True)

    def sample(self, first: bool = False) -> None:
        for kind, pids in (("app", _workers(self.master)), ("db", _postgres_backends(self.stack))):
            seen = _cpu_by_pid(pids)
            if first:
                self.first[kind] = dict(seen)
            self.last[kind].update(seen)

    def used(self, kind: str) -> float:
        return sum(cpu - self.first[kind].get(pid, 0.0) for pid, cpu in self.last[kind].items())


def _rate(stack: Stack, path: str, seconds: float, master: int) -> tuple[float, float, float, int]:
    stop = threading.Event()
    done: list[int] = [0] * CLIENTS
    failed: list[int] = [0] * CLIENTS

    def client(index: int) -> None:
        browser = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
        while not stop.is_set():
            answer = browser.get(path)
            if answer.status_code == 200:
                done[index] += 1
            else:
                failed[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    meter, begun = CpuMeter(stack, master), time.monotonic()
    for thread in threads:
        thread.start()
    while time.monotonic() - begun < seconds:
        time.sleep(0.5)
        meter.sample()
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    meter.sample()
    answered = max(sum(done), 1)
    app_ms, db_ms = 1000 * meter.used("app") / answered, 1000 * meter.used("db") / answered
    return answered / elapsed, app_ms, db_ms, sum(failed)


def measure(stack: Stack, seconds: float) -> list[str]:
    anonymous = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
    # A demo project (ledger, tenders, photos, thread), not the nearly empty one the import made.
    demo = [p for p in links(anonymous.get("/projects/").text, r"/projects/[^\"?]+/") if "prod-check" not in p]
    expect(bool(demo), "no demo project on /projects/ to measure")
    project = demo[0]
    node = next(n for n in stack.nodes if all(p.popen.poll() is None for p in n.processes))
    master = node.processes[0].popen.pid
    load = os.getloadavg()[0]
    lines = [
        f"node {node.name}: {CLIENTS} closed-loop clients through nginx, {seconds:.0f} s per page; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs ({time.strftime('%Y-%m-%d')})"
    ]
    for path in ("/healthz", "/projects/", urllib.parse.quote(project, safe="/%")):
        rate, app_ms, db_ms, failed = _rate(stack, path, seconds, master)
        expect(failed == 0, f"{failed} requests failed while measuring {path}")
        lines.append(
            f"GET {urllib.parse.unquote(path)}: {rate:.0f} requests/s here; CPU per request: "
            f"gunicorn {app_ms:.1f} ms (≈ {1000 / max(app_ms, 0.01):.0f} requests/s per app core), "
            f"PostgreSQL {db_ms:.1f} ms"
        )
    thread_id, _ = _thread_id(anonymous)
    uvicorn = node.processes[1].popen.pid
    handshake_ms, socket_kb = asyncio.run(_hold_sockets(stack, thread_id, uvicorn))
    lines.append(
        f"{SOCKETS} live-thread sockets through nginx to node {node.name}'s uvicorn: "
        f"{handshake_ms:.1f} ms CPU per handshake (session, thread, permission), {socket_kb:.0f} KB per open socket"
    )
    return lines
