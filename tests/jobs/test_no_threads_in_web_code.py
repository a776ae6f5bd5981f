"""Nothing that must finish runs in a web process: background work is a job (renovation/jobs), and
web code starts no threads. Two places may create a thread, each for a stated reason."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    # The worker's housekeeping thread (heartbeat, recovery, clock): the worker process only.
    "renovation/jobs/worker.py",
    # A helper thread joined at once, for publishing from sync code on a thread whose event loop is
    # running (a sync caller inside an async framework); it does no background work.
    "renovation/realtime/events.py",
}
THREAD = re.compile(
    r"^\s*(import threading|from threading import|import _thread|from concurrent\.futures import)",
    re.M,
)


def test_no_other_module_starts_a_thread():
    starting = sorted(
        str(path.relative_to(ROOT))
        for folder in ("renovation", "cms")
        for path in (ROOT / folder).rglob("*.py")
        if THREAD.search(path.read_text(encoding="utf-8"))
    )
    assert set(starting) <= ALLOWED, starting
