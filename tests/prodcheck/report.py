"""What prod-check checked: one line per step, PASSED / FAILED / SKIPPED, and the exit code.

A step that cannot run is SKIPPED with the reason and still fails the run (exit 1) unless it is
named in PRODCHECK_ALLOW_SKIP: a check that did not happen is never reported as a pass.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


class CheckFailed(Exception):
    """A check saw something wrong; the message says what."""


class Skip(Exception):
    """A step cannot run on this checkout; the message says what is missing and how to add it."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass
class Step:
    key: str
    title: str
    outcome: str = "RUNNING"
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Report:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.started = time.monotonic()
        self.allowed_skips = {s.strip() for s in os.environ.get("PRODCHECK_ALLOW_SKIP", "").split(",") if s.strip()}

    @contextmanager
    def step(self, key: str, title: str) -> Iterator[Step]:
        """Runs the body as one step; an exception fails (or skips) it and is not re-raised."""
        step = Step(key, title)
        self.steps.append(step)
        print(f"\n--- {title} [{key}]", flush=True)
        begun = time.monotonic()
        try:
            yield step
        except Skip as reason:
            step.outcome = "SKIPPED"
            step.details.append(str(reason))
        except CheckFailed as failure:
            step.outcome = "FAILED"
            step.details.append(str(failure))
        except Exception as error:  # a crash in a step is a failure of that step, with its traceback
            step.outcome = "FAILED"
            step.details.append(f"{type(error).__name__}: {error}")
            traceback.print_exc()
        else:
            step.outcome = "PASSED"
        step.seconds = time.monotonic() - begun
        for line in step.details:
            print(f"    {line}", flush=True)
        print(f"    => {step.outcome} ({step.seconds:.1f} s)", flush=True)

    def note(self, step: Step, line: str) -> None:
        step.details.append(line)

    def ok(self, key: str) -> bool:
        return any(s.key == key and s.outcome == "PASSED" for s in self.steps)

    def run_or_fail(self, key: str, title: str, body: Callable[[Step], None]) -> bool:
        with self.step(key, title) as step:
            body(step)
        return self.ok(key)

    def summary(self, label: str = "PROD-CHECK") -> int:
        print(f"\n=== {label.lower()} summary ===")
        width = max((len(s.title) for s in self.steps), default=10)
        for s in self.steps:
            first = s.details[0] if s.details and s.outcome != "PASSED" else ""
            print(f"  {s.outcome:<8} {s.title:<{width}}  {first}")
        failed = [s for s in self.steps if s.outcome == "FAILED"]
        skipped = [s for s in self.steps if s.outcome == "SKIPPED" and s.key not in self.allowed_skips]
        allowed = [s for s in self.steps if s.outcome == "SKIPPED" and s.key in self.allowed_skips]
        total = time.monotonic() - self.started
        print(
            f"  {len(self.steps) - len(failed) - len(skipped) - len(allowed)} passed, {len(failed)} failed, "
            f"{len(skipped) + len(allowed)} skipped, {total:.0f} s"
        )
        if allowed:
            print(f"  skipped but allowed by PRODCHECK_ALLOW_SKIP: {', '.join(s.key for s in allowed)}")
        if failed or skipped:
            print(f"{label} FAILED", file=sys.stderr)
            return 1
        print(f"{label} PASSED")
        return 0
