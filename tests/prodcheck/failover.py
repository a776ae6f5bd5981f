"""Stop one app node under traffic: no request fails beyond those in flight at the stop, and no
comment is lost (sockets on the stopped node reconnect through nginx and catch up with `since`)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

import psycopg
import websockets

from tests.prodcheck.checks import _thread_id
from tests.prodcheck.client import Browser, open_thread_socket
from tests.prodcheck.report import expect
from tests.prodcheck.stack import Stack

READERS = 6
GET_THREADS = 3
# Each request carries an id that nginx's log (tests/prodcheck/deployfiles.py) records with the
# upstream(s) it went to: that says whether a failed request was in flight on the stopped node.
ID_HEADER = "X-Prodcheck-Request"


@dataclass
class Logged:
    status: int
    upstreams: list[str]
    upstream_statuses: list[str]


def nginx_log(stack: Stack) -> dict[str, Logged]:
    found = {}
    for line in (stack.tmp / "nginx" / "access.log").read_text(errors="replace").splitlines():
        parts = line.split("|")
        if len(parts) != 6 or parts[5] in ("", "-"):
            continue
        found[parts[5]] = Logged(int(parts[1]), parts[2].split(", "), parts[3].split(", "))
    return found


@dataclass
class Request:
    id: str
    kind: str
    started: float
    ended: float
    ok: bool
    outcome: str


@dataclass
class Reader:
    number: int
    last_event_id: int = 0
    client_ids: set[str] = field(default_factory=set)
    connections: int = 0
    disconnects: int = 0
    caught_up: int = 0  # comments first seen in the answer to a `since` after a reconnection

    async def run(self, stack: Stack, thread_id: int, ready: asyncio.Event) -> None:
        while True:
            try:
                socket = await open_thread_socket(port=stack.https_port, thread_id=thread_id, cert=stack.cert)
            except (TimeoutError, OSError, websockets.WebSocketException):
                await asyncio.sleep(0.3)
                continue
            self.connections += 1
            reconnected = self.connections > 1
            await socket.send(json.dumps({"type": "since", "last_event_id": self.last_event_id}))
            try:
                async for raw in socket:
                    message = json.loads(raw)
                    if message.get("type") == "status":
                        ready.set()
                        reconnected = False  # the catch-up ends with the status message
                    elif message.get("type", "").startswith("comment"):
                        self.last_event_id = max(self.last_event_id, message.get("event_id") or 0)
                        if message.get("client_id") and message["client_id"] not in self.client_ids:
                            self.client_ids.add(message["client_id"])
                            self.caught_up += reconnected
            except websockets.ConnectionClosed:
                pass
            self.disconnects += 1


def _get_loop(stack: Stack, paths: list[str], stop: threading.Event, records: list[Request]) -> None:
    browser = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        started, request_id = time.monotonic(), uuid.uuid4().hex
        try:
            answer = browser.get(path, timeout=30, headers={ID_HEADER: request_id})
            ok, outcome = answer.status_code == 200, str(answer.status_code)
        except Exception as error:  # a refused or reset connection is a failed request
            ok, outcome = False, type(error).__name__
        records.append(Request(request_id, f"GET {path}", started, time.monotonic(), ok, outcome))


def _post_loop(
    poster: Browser, thread_id: int, project: str, tag: str, stop: threading.Event, records: list[Request],
    intended: list[str],
) -> None:  # fmt: skip
    while not stop.is_set():
        client_id = str(uuid.uuid4())
        intended.append(client_id)
        for _attempt in range(20):  # the page resends an unconfirmed post with the same client_id
            started, request_id = time.monotonic(), uuid.uuid4().hex
            try:
                answer = poster.post(
                    f"/discussion/threads/{thread_id}/post/",
                    {"csrfmiddlewaretoken": poster.csrf_token(), "text": f"{tag} {client_id}", "client_id": client_id},
                    referer=project,
                    timeout=30,
                    headers={ID_HEADER: request_id},
                )
                ok, outcome = answer.status_code == 302, str(answer.status_code)
            except Exception as error:
                ok, outcome = False, type(error).__name__
            records.append(Request(request_id, "POST comment", started, time.monotonic(), ok, outcome))
            if ok:
                break
            time.sleep(0.3)
        time.sleep(0.15)


def stop_node_under_traffic(stack: Stack, poster: Browser) -> list[str]:
    return asyncio.run(_run(stack, poster))


async def _run(stack: Stack, poster: Browser) -> list[str]:
    thread_id, project = _thread_id(poster)
    node_a = stack.nodes[0]
    tag = f"prod-check failover {uuid.uuid4().hex[:8]}"
    readers = [Reader(i) for i in range(READERS)]
    ready = [asyncio.Event() for _ in readers]
    tasks = [asyncio.create_task(r.run(stack, thread_id, e)) for r, e in zip(readers, ready, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready)), 60)

    stop = threading.Event()
    records: list[Request] = []
    intended: list[str] = []
    paths = ["/", "/projects/", urllib.parse.quote(project, safe="/%")]
    workers = [threading.Thread(target=_get_loop, args=(stack, paths, stop, records)) for _ in range(GET_THREADS)]
    workers.append(threading.Thread(target=_post_loop, args=(poster, thread_id, project, tag, stop, records, intended)))
    for worker in workers:
        worker.start()
    await asyncio.sleep(4)
    stop_began = time.monotonic()
    await asyncio.to_thread(stack.stop_node, node_a)
    stop_ended = time.monotonic()
    await asyncio.sleep(5)
    stop.set()
    for worker in workers:
        await asyncio.to_thread(worker.join)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(set(intended) <= r.client_ids for r in readers):
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return _verdict(stack, readers, records, intended, tag, stop_began, stop_ended)


def _verdict(
    stack: Stack, readers: list[Reader], records: list[Request], intended: list[str], tag: str,
    stop_began: float, stop_ended: float,
) -> list[str]:  # fmt: skip
    node_a = stack.nodes[0]
    on_a = f"127.0.0.1:{node_a.web_port}"
    logged = nginx_log(stack)
    failed = [r for r in records if not r.ok]
    # In flight on node A: nginx had handed the request to A (its last upstream) and A went away
    # before answering (a 5xx made by nginx, not by the application).
    in_flight = [
        r for r in failed
        if r.id in logged and logged[r.id].upstreams[-1] == on_a and logged[r.id].status in (502, 504)
        and logged[r.id].upstream_statuses[-1] in ("502", "504", "-")
    ]  # fmt: skip
    beyond = [r for r in failed if r not in in_flight]
    served_by_a = sum(1 for entry in logged.values() if on_a in entry.upstreams)
    retried = sum(1 for entry in logged.values() if len(entry.upstreams) > 1 and entry.status < 400)
    exit_codes = {p.name: p.popen.returncode for p in node_a.processes}
    moved = [r for r in readers if r.disconnects]
    lines = [
        f"node A (gunicorn :{node_a.web_port}, uvicorn :{node_a.ws_port}) stopped with SIGTERM under traffic, "
        f"exit codes {exit_codes}, in {stop_ended - stop_began:.1f} s; nginx had sent it {served_by_a} requests",
        f"{len(records)} requests ({sum(r.kind.startswith('POST') for r in records)} comment posts): "
        f"{len(failed)} failed, {len(in_flight)} of them in flight on node A when it stopped "
        f"({', '.join(sorted({r.kind for r in in_flight})) or 'none'}), {len(beyond)} beyond those; "
        f"nginx passed {retried} requests on to node B after node A refused them",
    ]
    expect(
        not beyond,
        f"requests failed that were not in flight on node A: "
        f"{[(r.kind, r.outcome, logged.get(r.id)) for r in beyond][:5]}",
    )
    expect(served_by_a > 0, "nginx sent node A no traffic before the stop: the check proves nothing")
    expect(moved, "no socket was on node A (none was disconnected): the catch-up was not exercised")
    with psycopg.connect(stack.database_url()) as connection:
        saved, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT client_id) FROM discussion_comment WHERE text LIKE %s", (f"{tag}%",)
        ).fetchone()
    expect(
        saved == distinct == len(intended),
        f"{len(intended)} comments posted, {saved} saved ({distinct} distinct): lost or doubled",
    )
    for reader in readers:
        missing = set(intended) - reader.client_ids
        expect(not missing, f"socket {reader.number} never received {len(missing)} of {len(intended)} comments")
    lines.append(
        f"{len(intended)} comments posted, each saved once; all {len(readers)} sockets have all of them; "
        f"{len(moved)} sockets were on node A, reconnected through nginx and caught up "
        f"{sum(r.caught_up for r in moved)} comments with `since`"
    )
    return lines
