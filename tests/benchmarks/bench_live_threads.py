"""Live-thread delivery under load: two uvicorn processes on Redis, many readers, steady posting.

Ours: N WebSocket readers split across two processes serving renovation.asgi:application (origin
check, session, thread lookup, permission, group), M comments posted at R a second through
`comment_post` in this process (permission, rate limit, one transaction with its history row and
event, then the on-commit publish through channels_redis). Baseline: the same readers on two
processes serving tests/benchmarks/bare_consumer.py, M same-shaped payloads sent with a bare
`group_send` at the same rate. Each text carries its send time (time.time(): the readers run in a
process of their own on the same machine and clock), so latency is send → the reader's socket,
everything between.

A report, not a test: a table, one JSON line, exit 0. The aim (p99 within 1.2x of the bare
consumer) and the lost count (aim 0) are printed, never asserted. channels_redis and uvicorn drop
nothing silently here only while they keep up; lost messages mean readers rely on `since`.

    cd /work/main && REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python tests/benchmarks/bench_live_threads.py [--clients 500 --comments 200 --rate 10]

It creates and drops its own PostgreSQL database (renovation_bench_<pid>, through --postgres-url)
and needs nothing else running but PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script, Python puts this folder on the path, not the root

AIM_P99_RATIO = 1.2
OURS_APP = "renovation.asgi:application"
BARE_APP = "tests.benchmarks.bare_consumer:application"
BARE_GROUP = "bench-bare"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="readers, split half/half over two servers")
    parser.add_argument("--comments", type=int, default=200, help="comments posted per side")
    parser.add_argument("--rate", type=float, default=10.0, help="comments a second")
    parser.add_argument("--quiet", type=float, default=5.0, help="stop waiting once nothing arrived for this long")
    parser.add_argument("--drain", type=float, default=120.0, help="longest wait after the last post")
    parser.add_argument(
        "--uvicorn-args", default="", help='extra uvicorn options for all four servers, e.g. "--ws wsproto"'
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a server and a database to connect to while creating and dropping the benchmark's own",
    )
    return parser.parse_args()


# --- what cannot run -----------------------------------------------------------------------------


def why_not_runnable(args: argparse.Namespace) -> str | None:
    if not args.redis_url:
        return "REDIS_URL is not set (the benchmark measures the channels_redis layer)"
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


# --- the database ----------------------------------------------------------------------------------


def database_create(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def database_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"migrate failed:\n{result.stderr[-3000:]}")


def scene_create() -> tuple[Any, Any]:
    """An author and a public project thread, built the way the tests build them."""
    from renovation.discussion.services import thread_for_project
    from tests.factories import ProjectFactory, UserFactory

    author = UserFactory(username="bench-author", first_name="测试")
    return author, thread_for_project(ProjectFactory(name="基准测试小区改造"))


# --- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    app: str
    env: dict[str, str]
    extra_args: list[str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Any = field(default_factory=tempfile.TemporaryFile)

    def launch(self) -> None:
        command = [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--lifespan", "off", "--no-access-log", "--log-level", "warning", *self.extra_args]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_until_ready(self, timeout: float = 60.0) -> None:
        """uvicorn imports the application before it binds, so an open port means ready."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.process.returncode}:\n{self.stderr()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.app} did not listen on {self.port} within {timeout:.0f} s:\n{self.stderr()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (Linux; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, AttributeError, IndexError, ValueError):
            return 0.0

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


# --- readers: a process of their own ------------------------------------------------------------


@dataclass
class Reader:
    latencies: dict[int, float] = field(default_factory=dict)  # seq → seconds, first copy only
    duplicates: int = 0
    closed_early: str | None = None  # "<close code> <reason>" when the server closed the socket


@dataclass
class Tally:
    expected: int
    received: int = 0
    last_arrival: float = 0.0  # perf_counter
    done: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False  # set before the readers close their sockets themselves


@dataclass(frozen=True)
class ReadPlan:
    urls: list[str]
    clients: int
    comments: int
    quiet: float
    drain: float


def readers_process(plan: ReadPlan, pipe: Connection) -> None:
    """The readers run in their own process: in the sender's process, thousands of messages a
    second on the event loop would hold the GIL and delay every post and publish."""
    try:
        pipe.send(asyncio.run(readers_run(plan, pipe)))
    except Exception:
        pipe.send({"error": traceback.format_exc()})


async def readers_run(plan: ReadPlan, pipe: Connection) -> dict:
    started = time.perf_counter()
    sockets, refused = await open_readers(plan.urls, plan.clients)
    readers = [Reader() for _ in sockets]
    tally = Tally(expected=len(sockets) * plan.comments)
    tasks = [asyncio.create_task(read(ws, reader, tally)) for ws, reader in zip(sockets, readers, strict=True)]
    lag: list[float] = []
    lag_task = asyncio.create_task(loop_lag(lag, tally))
    cpu_before = time.process_time()
    pipe.send({"connect_s": time.perf_counter() - started, "refused_sockets": refused})
    await asyncio.to_thread(pipe.recv)  # the sender has sent its last message
    drained = await drain(tally, plan)
    tally.closing = True
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    await asyncio.gather(*tasks, lag_task, return_exceptions=True)
    latencies = sorted(value for reader in readers for value in reader.latencies.values())
    return {
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else math.nan) * 1000,
        "received": len(latencies),
        "lost": tally.expected - len(latencies),
        "duplicates": sum(reader.duplicates for reader in readers),
        "closed_sockets": sum(reader.closed_early is not None for reader in readers),
        "closed_because": sorted({reader.closed_early for reader in readers if reader.closed_early}),
        "drain_s": drained,
        "reader_loop_lag_max_ms": max(lag, default=0.0) * 1000,
        "reader_cpu_s": time.process_time() - cpu_before,
    }


async def drain(tally: Tally, plan: ReadPlan) -> float:
    """Wait for stragglers: until all arrived, nothing arrived for ``quiet`` seconds, or ``drain``
    seconds passed. What is still missing then counts as lost. Returns the seconds waited."""
    last_sent = time.perf_counter()
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tally.done.wait(), 0.25)
        now = time.perf_counter()
        if tally.done.is_set() or now - max(last_sent, tally.last_arrival) > plan.quiet or now - last_sent > plan.drain:
            return now - last_sent


async def open_readers(urls: list[str], count: int) -> tuple[list[Any], int]:
    """Open ``count`` sockets round-robin over ``urls``, 50 handshakes at a time, as browsers do
    (an Origin header, no client pings). Returns the open sockets and how many were refused."""
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(50)

    async def one(url: str) -> Any:
        async with gate:
            origin = "http://" + urlsplit(url).netloc
            return await connect(url, origin=origin, open_timeout=60, ping_interval=None, close_timeout=2)

    opened = await asyncio.gather(*(one(urls[n % len(urls)]) for n in range(count)), return_exceptions=True)
    sockets = [websocket for websocket in opened if not isinstance(websocket, BaseException)]
    return sockets, count - len(sockets)


async def read(websocket: Any, reader: Reader, tally: Tally) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in websocket:
            now = time.time()
            text = json.loads(raw).get("text", "")
            if not text.startswith("bench:"):
                continue
            _, seq, sent = text.split(":")
            if int(seq) in reader.latencies:
                reader.duplicates += 1
                continue
            reader.latencies[int(seq)] = now - float(sent)
            tally.received += 1
            tally.last_arrival = time.perf_counter()
            if tally.received >= tally.expected:
                tally.done.set()
    except ConnectionClosed:
        pass
    if not tally.closing:
        reader.closed_early = f"{websocket.close_code} {websocket.close_reason or ''}".strip()


async def loop_lag(samples: list[float], tally: Tally) -> None:
    """How late a 50 ms sleep wakes up: if this grows, the readers, not the servers, are slow."""
    while not tally.closing:
        before = time.perf_counter()
        await asyncio.sleep(0.05)
        samples.append(time.perf_counter() - before - 0.05)


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: always a measured value."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- one side of the comparison ------------------------------------------------------------------


def paced(count: int, rate: float, send: Callable[[int], None]) -> dict[str, float]:
    """Call ``send(seq)`` on a fixed schedule (a late call goes at once; no bursts to catch up)."""
    start, late, durations = time.monotonic(), 0.0, []
    cpu_before = time.process_time()
    for seq in range(count):
        delay = start + seq / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        late = max(late, -delay)
        before = time.perf_counter()
        send(seq)
        durations.append(time.perf_counter() - before)
    durations.sort()
    return {
        "send_call_p50_ms": percentile(durations, 50) * 1000,  # the sender's share of the latency
        "send_call_p99_ms": percentile(durations, 99) * 1000,
        "sender_late_max_ms": late * 1000,
        "sender_cpu_s": time.process_time() - cpu_before,
    }


def run_side(app: str, path: str, env: dict[str, str], args: argparse.Namespace, send: Callable[[int], None]) -> dict:
    servers = [Server(app, env, shlex.split(args.uvicorn_args)) for _ in range(2)]
    context = multiprocessing.get_context("spawn")
    pipe, child_pipe = context.Pipe()
    readers: multiprocessing.process.BaseProcess | None = None
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_until_ready()
        urls = [f"ws://127.0.0.1:{server.port}{path}" for server in servers]
        plan = ReadPlan(urls, args.clients, args.comments, args.quiet, args.drain)
        readers = context.Process(target=readers_process, args=(plan, child_pipe))
        readers.start()
        result = receive(pipe, timeout=120, waiting_for="the readers to connect")
        cpu_before = [server.cpu_seconds() for server in servers]
        result.update(paced(args.comments, args.rate, send))
        pipe.send("sent")
        result.update(receive(pipe, timeout=args.drain + 60, waiting_for="the readers' results"))
        result["server_cpu_s"] = [round(s.cpu_seconds() - b, 1) for s, b in zip(servers, cpu_before, strict=True)]
        return result
    finally:
        if readers is not None:
            readers.join(timeout=15)
            if readers.is_alive():
                readers.terminate()
        for server in servers:
            server.stop()


def receive(pipe: Connection, *, timeout: float, waiting_for: str) -> dict[str, Any]:
    if not pipe.poll(timeout):
        raise RuntimeError(f"gave up after {timeout:.0f} s waiting for {waiting_for}")
    message = pipe.recv()
    if "error" in message:
        raise RuntimeError(f"the readers failed:\n{message['error']}")
    return message


# --- the two senders ---------------------------------------------------------------------------------


def ours_sender(author: Any, thread: Any) -> Callable[[int], None]:
    from renovation.discussion.services import comment_post

    comment_post(actor=author, thread=thread, text="warm-up")  # imports, connection, first queries

    def send(seq: int) -> None:
        comment_post(actor=author, thread=thread, text=f"bench:{seq}:{time.time():.6f}")

    return send


def bare_sender(payload: dict[str, Any]) -> Callable[[int], None]:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    group_send = async_to_sync(get_channel_layer().group_send)
    group_send(BARE_GROUP, {"type": "live.event", "message": payload})  # warm-up, before readers join

    def send(seq: int) -> None:
        message = {**payload, "id": seq, "event_id": seq, "text": f"bench:{seq}:{time.time():.6f}"}
        group_send(BARE_GROUP, {"type": "live.event", "message": message})

    return send


# --- report -----------------------------------------------------------------------------------------


def report(args: argparse.Namespace, ours: dict[str, Any], bare: dict[str, Any]) -> None:
    ratio = ours["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else math.nan
    print(
        f"\n{args.clients} readers on 2 uvicorn processes over channels_redis, "
        f"{args.comments} messages at {args.rate:g}/s, {os.cpu_count()} CPUs\n"
    )
    print(f"{'':36} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>7} {'dup':>5}  sockets refused/closed")
    rows = (("ours: comment_post → ThreadConsumer", ours), ("bare: group_send → bare consumer", bare))
    for name, side in rows:
        print(
            f"{name:36} {side['p50_ms']:8.1f} {side['p99_ms']:8.1f} {side['max_ms']:8.1f} "
            f"{side['lost']:7d} {side['duplicates']:5d}  {side['refused_sockets']}/{side['closed_sockets']}"
        )
    print(f"\np99 ratio ours/bare: {ratio:.2f} (aim ≤ {AIM_P99_RATIO}); lost: {ours['lost']} (aim 0)")
    for name, side in rows:
        print(
            f"{name.split(':')[0]}: send call p50/p99 {side['send_call_p50_ms']:.0f}/{side['send_call_p99_ms']:.0f}"
            f" ms, sender late ≤ {side['sender_late_max_ms']:.0f} ms, readers' loop lag ≤ "
            f"{side['reader_loop_lag_max_ms']:.0f} ms; connect {side['connect_s']:.1f} s, "
            f"drain {side['drain_s']:.1f} s; "
            f"CPU while sending: sender {side['sender_cpu_s']:.1f} s, readers {side['reader_cpu_s']:.1f} s, "
            f"servers {side['server_cpu_s']} s"
            + (f"; server closed sockets with {', '.join(side['closed_because'])}" if side["closed_because"] else "")
        )
    summary = {"clients": args.clients, "comments": args.comments, "rate": args.rate, "ratio_p99": ratio}
    print(json.dumps({**summary, "aim_ratio_p99": AIM_P99_RATIO, "ours": rounded(ours), "bare": rounded(bare)}))


def rounded(side: dict[str, Any]) -> dict[str, Any]:
    return {key: round(value, 2) if isinstance(value, float) else value for key, value in side.items()}


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed if hard == resource.RLIM_INFINITY else hard, hard))


def main() -> None:
    args = parse_args()
    reason = why_not_runnable(args)
    if reason:
        print(f"bench_live_threads: not run: {reason}")
        return
    raise_file_limit(args.clients * 2 + 256)  # the servers inherit it
    name = f"renovation_bench_{os.getpid()}"
    database_url = database_create(args.postgres_url, name)
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "renovation.settings.test"),
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
            "COMMENT_RATE_LIMIT_PER_MINUTE": str(10**9),  # one author posts everything
        }
        database_migrate(env)
        os.environ.update(env)
        import django

        django.setup()
        from renovation.discussion.selectors import comment_message

        author, thread = scene_create()
        ours_send = ours_sender(author, thread)
        ours = run_side(OURS_APP, f"/ws/threads/{thread.pk}/", env, args, ours_send)
        payload = comment_message(thread.comments.select_related("author").first(), kind="comment", event_id=0)
        bare = run_side(BARE_APP, "/ws/bare/", env, args, bare_sender(payload))
        report(args, ours, bare)
    finally:
        with contextlib.suppress(Exception):  # Django may not be set up if migrate failed
            from django.db import connections

            connections.close_all()
        database_drop(args.postgres_url, name)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a report, never a failed build: say what broke and exit 0
        traceback.print_exc()
        print(json.dumps({"error": traceback.format_exc(limit=1).strip().splitlines()[-1]}))
    sys.exit(0)
