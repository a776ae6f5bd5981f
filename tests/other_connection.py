"""Another request's transaction, on its own database connection, beside the test's: for tests of
row locks between two transactions (PostgreSQL, ``django_db(transaction=True)``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, connections


def lock_timeout(seconds: int = 5) -> None:
    """In the current transaction, a lock waited for longer fails instead of hanging the test."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{int(seconds)}s'")


class OtherRequest:
    """``body`` run in a thread of its own (Django gives it its own connection, closed after);
    what it raises lands in ``errors`` for the test to assert on; ``done`` is set when it ends."""

    def __init__(self, body: Callable[[], None]) -> None:
        self.errors: list[BaseException] = []
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(body,))
        self._thread.start()

    def _run(self, body: Callable[[], None]) -> None:
        try:
            body()
        except BaseException as error:  # reported by the test
            self.errors.append(error)
        finally:
            self.done.set()
            connections.close_all()

    def join(self, timeout: float = 20) -> None:
        self._thread.join(timeout)
