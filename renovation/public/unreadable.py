"""Logging a stored rendering that cannot be read, once per process and row as it was built.

A public page that keeps its rendering in the database (the project page's summary, the home
page's, a project's open data) reads it on every request; when a row is unreadable (not signed by
this site, or not of the shape written) the page renders live instead, and says so in the log.
Until the row is rebuilt every request meets it again: one traceback per request would bury the log
and spend the CPU of formatting it. So each row is logged with its traceback once per process for
what identifies it as built (its id, version, build, generation: a rebuild makes it a new row here)
and again at most every ``REPEAT_SECONDS`` while it stays unreadable, as one line with the count of
requests meanwhile.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Hashable

# How often a row that stays unreadable is logged again (one line, no traceback).
REPEAT_SECONDS = 600.0
# A bound on the rows remembered per process; past it the memory starts afresh (each row is then
# logged once more).
REMEMBERED_LIMIT = 4096

# Per row as built: when it was last logged, and how many requests met it since.
_logged: dict[Hashable, list[float]] = {}


def log_unreadable(logger: logging.Logger, key: Hashable, message: str, *args: object) -> None:
    """Log ``message`` for the row ``key`` (with the exception being handled, if any): its first time
    in this process with the traceback, then at most once every ``REPEAT_SECONDS`` without it."""
    now = time.monotonic()
    key = (logger.name, key)  # two modules' rows never share a key
    seen = _logged.get(key)
    if seen is None:
        if len(_logged) >= REMEMBERED_LIMIT:
            _logged.clear()
        _logged[key] = [now, 0]
        logger.error(message, *args, exc_info=sys.exc_info()[1] is not None)
        return
    seen[1] += 1
    if now - seen[0] >= REPEAT_SECONDS:
        logger.error(message + " (still; %d requests since last logged)", *args, int(seen[1]))
        seen[0], seen[1] = now, 0


def forget() -> None:
    """Drop what this process remembers (a new process starts so)."""
    _logged.clear()
