"""A crowd arriving and leaving at once: N sockets opening in the same instant on two uvicorn
processes (a notice shared in a group chat), then all closing in the same instant.

Counts, not times, are what matter here: handshakes that failed (and with what), members the
thread's group holds once everyone is in (read from the channels_redis group zset directly, it
should equal the open sockets), and members still there after everyone left (stale: every later
message would be pushed to them until `group_expiry`); aim 0 and 0. Tracebacks in the servers'
logs are counted too. The times to open and to empty the group are printed for information.

    cd /work/main && REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python tests/benchmarks/bench_live_burst.py [--sockets 1000 --rounds 1]

Same needs and database handling as bench_live_threads.py (PostgreSQL, Redis; exit 0 with a
reason when either is missing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_live_threads import (  # noqa: E402
    OURS_APP,
    Server,
    database_create,
    database_drop,
    database_migrate,
    raise_file_limit,
    scene_create,
    why_not_runnable,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000, help="sockets per burst, half on each server")
    parser.add_argument("--rounds", type=int, default=1, help="bursts in a row (open all, close all)")
    parser.add_argument("--settle", type=float, default=15.0, help="longest wait for the group to fill or empty")
    parser.add_argument("--uvicorn-args", default="")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    return parser.parse_args()


def group_members(redis_url: str, group: str) -> int:
    """Members of the group as channels_redis stores them (a zset per group), read from Redis."""
    import redis
    from channels.layers import get_channel_layer

    key = get_channel_layer()._group_key(group)
    return redis.Redis.from_url(redis_url).zcard(key)


async def settle(redis_url: str, group: str, target: int, within: float) -> tuple[int, float]:
    """Wait until the group holds ``target`` members or ``within`` seconds pass."""
    started = time.perf_counter()
    while True:
        members = await asyncio.to_thread(group_members, redis_url, group)
        elapsed = time.perf_counter() - started
        if members == target or elapsed > within:
            return members, elapsed
        await asyncio.sleep(0.2)


def failure(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        return f"HTTP {response.status_code}"
    return type(error).__name__


async def burst(urls: list[str], count: int, redis_url: str, group: str, within: float) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    async def one(url: str) -> Any:
        origin = "http://" + url.split("/")[2]
        return await connect(url, origin=origin, open_timeout=60, ping_interval=None, close_timeout=10)

    started = time.perf_counter()
    opened = await asyncio.gather(*(one(urls[n % len(urls)]) for n in range(count)), return_exceptions=True)
    open_s = time.perf_counter() - started
    sockets = [ws for ws in opened if not isinstance(ws, BaseException)]
    failures = Counter(failure(error) for error in opened if isinstance(error, BaseException))
    members_in, fill_s = await settle(redis_url, group, len(sockets), within)
    started = time.perf_counter()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    close_s = time.perf_counter() - started
    stale, empty_s = await settle(redis_url, group, 0, within)
    return {
        "opened": len(sockets),
        "failed_handshakes": count - len(sockets),
        "failed_because": dict(failures),
        "members_when_open": members_in,
        "stale_members": stale,
        "open_s": round(open_s, 1),
        "fill_s": round(fill_s, 1),
        "close_s": round(close_s, 1),
        "empty_s": round(empty_s, 1),
    }


def main() -> None:
    args = parse_args()
    reason = why_not_runnable(args)
    if reason:
        print(f"bench_live_burst: not run: {reason}")
        return
    raise_file_limit(args.sockets * 3 + 256)
    name = f"renovation_bench_{os.getpid()}"
    database_url = database_create(args.postgres_url, name)
    servers: list[Server] = []
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "renovation.settings.test"),
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
        }
        database_migrate(env)
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        from renovation.discussion.services import thread_group

        _author, thread = scene_create()
        group = thread_group(thread)
        servers = [Server(OURS_APP, env, shlex.split(args.uvicorn_args)) for _ in range(2)]
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_until_ready()
        urls = [f"ws://127.0.0.1:{server.port}/ws/threads/{thread.pk}/" for server in servers]
        rounds = [
            asyncio.run(burst(urls, args.sockets, args.redis_url, group, args.settle)) for _ in range(args.rounds)
        ]
        tracebacks = sum(server.stderr().count("Traceback") for server in servers)  # the logs' last 3,000 chars
        layer = settings.CHANNEL_LAYERS["default"]
        host = layer["CONFIG"]["hosts"][0]
        print(
            f"\n{args.sockets} sockets opening at once, then closing at once, on 2 uvicorn processes "
            f"({layer['BACKEND']}, pool max {host.get('max_connections', 'default')} "
            f"connections, wait {host.get('timeout', '-')} s)\n"
        )
        print(f"{'round':>5} {'opened':>7} {'failed':>7} {'members':>8} {'stale':>6}   open/fill/close/empty s")
        for n, result in enumerate(rounds, 1):
            print(
                f"{n:5d} {result['opened']:7d} {result['failed_handshakes']:7d} {result['members_when_open']:8d} "
                f"{result['stale_members']:6d}   {result['open_s']}/{result['fill_s']}/{result['close_s']}/"
                f"{result['empty_s']}" + (f"  failed: {result['failed_because']}" if result["failed_because"] else "")
            )
        print(f"\nfailed handshakes and stale members aim at 0; tracebacks in the servers' logs: {tracebacks}")
        print(json.dumps({"sockets": args.sockets, "rounds": rounds, "server_tracebacks": tracebacks}))
    finally:
        for server in servers:
            server.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        database_drop(args.postgres_url, name)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a report, never a failed build
        traceback.print_exc()
        print(json.dumps({"error": traceback.format_exc(limit=1).strip().splitlines()[-1]}))
    sys.exit(0)
