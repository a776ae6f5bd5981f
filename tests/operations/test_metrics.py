"""/metrics: Prometheus text with request latency, queries per request, the task queue and open
WebSockets; only the host may read it."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from renovation.operations.metrics import exposition, task_queue_depth

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return _samples(response.content.decode())


def test_it_counts_the_queries_and_times_each_request(client):
    before = _scrape(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tenders/").status_code == 200
    made = len(queries)  # read now: the next request empties the connection's query log
    after = _scrape(client)
    view = (("view", "tendering:list"),)
    count_key = ("renovation_http_request_db_queries_count", view)
    sum_key = ("renovation_http_request_db_queries_sum", view)
    assert after[count_key] - before.get(count_key, 0) == 1
    assert after[sum_key] - before.get(sum_key, 0) == made > 0
    latency = ("renovation_http_request_duration_seconds_count", (("method", "GET"), ("status", "2xx"), *view))
    assert after[latency] - before.get(latency, 0) == 1


def test_it_counts_the_jobs_waiting_in_the_queue(client, settings):
    from renovation.tendering.tasks import tenders_advance
    from tests.jobs.conftest import DATABASE_BACKEND

    settings.TASKS = DATABASE_BACKEND  # jobs become rows, as in production
    samples = _scrape(client)
    assert samples[("renovation_task_queue_backend_present", ())] == 1
    assert samples[("renovation_task_queue_depth", ())] == 0
    for _ in range(3):
        tenders_advance.enqueue()
    assert task_queue_depth() == 3
    assert _scrape(client)[("renovation_task_queue_depth", ())] == 3
    assert ("renovation_websockets_open", ()) in samples


def test_it_answers_404_to_anyone_but_the_host(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404


@override_settings(CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_it_answers_404_to_a_client_that_nginx_forwarded(client):
    # Behind nginx every request comes from 127.0.0.1; the client is X-Real-IP.
    assert client.get("/metrics", HTTP_X_REAL_IP="203.0.113.7").status_code == 404
    assert client.get("/metrics", HTTP_X_REAL_IP="127.0.0.1").status_code == 200


WORKER = textwrap.dedent(
    """
    import os, sys
    from renovation.operations import metrics
    metrics.WEBSOCKETS_OPEN.inc(int(sys.argv[1]))
    metrics.REQUEST_QUERIES.labels(view="x").observe(int(sys.argv[2]))
    if sys.argv[3] == "stay":
        print("ready", flush=True)
        sys.stdin.read()
    """
)


def _worker(directory: Path, sockets: int, queries: int, stay: bool) -> subprocess.Popen:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(sockets), str(queries), "stay" if stay else "exit"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if stay:
        assert process.stdout.readline().strip() == "ready"
    else:
        process.wait(timeout=60)
    return process


def test_it_merges_the_web_and_websocket_processes_and_forgets_dead_sockets(tmp_path):
    web, ws = tmp_path / "web", tmp_path / "ws"
    web.mkdir()
    ws.mkdir()
    _worker(web, sockets=0, queries=7, stay=False)
    _worker(ws, sockets=5, queries=0, stay=False)  # a WebSocket worker that died with 5 sockets
    alive = _worker(ws, sockets=3, queries=0, stay=True)
    try:
        samples = _samples(exposition([str(web), str(ws)]).decode())
    finally:
        alive.stdin.close()
        alive.wait(timeout=60)
    assert samples[("renovation_websockets_open", ())] == 3
    assert samples[("renovation_http_request_db_queries_sum", (("view", "x"),))] == 7
    assert samples[("renovation_http_request_db_queries_count", (("view", "x"),))] == 3


def test_an_invented_method_is_counted_as_other(client):
    client.generic("BREW", "/healthz")
    samples = _scrape(client)
    assert not any(dict(labels).get("method") == "BREW" for _name, labels in samples)
    other = (
        "renovation_http_request_duration_seconds_count",
        (("method", "other"), ("status", "4xx"), ("view", "healthz")),
    )
    assert samples[other] >= 1
