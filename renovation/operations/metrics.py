"""Prometheus metrics: request latency, queries per request, task queue depth, open WebSockets.

Served at /metrics (views.metrics) in the Prometheus text format, to the host only.

Production runs several processes (gunicorn workers for HTTP, uvicorn workers for /ws/), so
prometheus_client's multiprocess mode is used when ``PROMETHEUS_MULTIPROC_DIR`` is set: each
process writes its values to files there, and a scrape merges the files of every directory in
``METRICS_MULTIPROC_DIRS`` (the web service's and the WebSocket service's; deploy/systemd). Each
service's directory is its systemd RuntimeDirectory, emptied at every start as the client asks.
Without the variable (``make run``, tests) the values live in the process.
"""

from __future__ import annotations

import glob
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import connection
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

REQUEST_LATENCY = Histogram(
    "renovation_http_request_duration_seconds",
    "Time Django took to answer a request, by method, view and status class.",
    ["method", "view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REQUEST_QUERIES = Histogram(
    "renovation_http_request_db_queries",
    "Database queries made while answering one request, by view.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500),
)
# livesum: the sum over processes still alive (a dead worker's sockets are gone with it).
WEBSOCKETS_OPEN = Gauge("renovation_websockets_open", "WebSocket connections open now.", multiprocess_mode="livesum")

UNMATCHED_VIEW = "<unmatched>"
# Label values come from a fixed set: a client may send any method name, and each new label value
# would be a new time series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNMATCHED_VIEW


class RequestMetricsMiddleware:
    """Times each request and counts its queries on the default database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        status = f"{response.status_code // 100}xx"
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUEST_LATENCY.labels(method=method, view=view, status=status).observe(elapsed)
        REQUEST_QUERIES.labels(view=view).observe(queries)
        return response


def websocket_opened(consumer: Any) -> None:
    """Call once the consumer accepted the socket."""
    consumer.metrics_counted = True
    WEBSOCKETS_OPEN.inc()


def websocket_closed(consumer: Any) -> None:
    """Call on disconnect; counts down only a socket that was counted up."""
    if getattr(consumer, "metrics_counted", False):
        consumer.metrics_counted = False
        WEBSOCKETS_OPEN.dec()


# --- task queue ---------------------------------------------------------------------------
# django-tasks' database backend keeps queued tasks as DBTaskResult rows with status READY
# (app "django_tasks_db" from the django-tasks-db package; "django_tasks_database" in the
# backend that django-tasks itself shipped before 0.12).
TASK_RESULT_MODELS = (("django_tasks_db", "DBTaskResult"), ("django_tasks_database", "DBTaskResult"))


def task_queue_depth() -> int | None:
    """Tasks waiting to run, or None while no database task backend is installed."""
    for app_label, model_name in TASK_RESULT_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        return model.objects.filter(status="READY").count()
    return None


class TaskQueueCollector:
    """Read at scrape time: one COUNT on the task table."""

    def collect(self) -> Iterator[Metric]:
        depth = task_queue_depth()
        yield GaugeMetricFamily(
            "renovation_task_queue_backend_present",
            "1 when a database task queue is installed; while 0, the queue depth below is 0.",
            value=0 if depth is None else 1,
        )
        yield GaugeMetricFamily(
            "renovation_task_queue_depth", "Background tasks waiting for a worker (status READY).", value=depth or 0
        )


# --- scraping ---------------------------------------------------------------------------
_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db$")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def metric_files(directories: Iterable[str]) -> list[str]:
    """Every process's metric file, less the live gauges of processes that have exited (the
    WebSocket workers have no hook to remove theirs when they die)."""
    files = []
    for directory in directories:
        for path in sorted(glob.glob(os.path.join(directory, "*.db"))):
            live = _LIVE_GAUGE_FILE.search(os.path.basename(path))
            if live and not _process_alive(int(live.group(1))):
                continue
            files.append(path)
    return files


class MultiDirectoryCollector:
    def __init__(self, directories: list[str]) -> None:
        self.directories = directories

    def collect(self) -> Iterable[Metric]:
        return MultiProcessCollector.merge(metric_files(self.directories), accumulate=True)


def exposition(directories: list[str]) -> bytes:
    """The text a scrape gets: process metrics (merged across processes when they share files)
    and the task queue read from the database now."""
    if directories:
        registry = CollectorRegistry()
        registry.register(MultiDirectoryCollector(directories))
        process_text = generate_latest(registry)
    else:
        process_text = generate_latest(REGISTRY)
    queue_registry = CollectorRegistry()
    queue_registry.register(TaskQueueCollector())
    return process_text + generate_latest(queue_registry)
