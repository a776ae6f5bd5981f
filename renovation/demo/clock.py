"""The demo's clock: every service runs at the moment its step happened in the story.

The demo is a set of *stories* (one per project, plus the ledger disclosures, the supervisors and
the discussion). A story is a generator that yields the moment it wants to go on at; the
scheduler always resumes the story whose next moment is earliest, after moving Django's clock
(`timezone.now()`, `localdate()`, and `time.time()` underneath them) to that moment with
time-machine. So the whole database is written in the order things happened, from 2023 to today:
every record's own timestamps, its history rows and the rules that compare them to "now" (no
entry dated in the future, no bid after the bid period, no award before the publicity ended, no
ledger change in a disclosed quarter) agree by construction. A story whose next moment is after
the demo's "today" simply stops there: what has not happened yet is not in the database.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator, Iterable
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone

Story = Generator[datetime, None, None]


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """The moment ``hour:minute`` on ``day``, in the site's time zone (Beijing time)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class DemoClock:
    """Runs stories in time order on a travelling clock. Use as a context manager."""

    def __init__(self, *, today: date, start: datetime) -> None:
        real_now = timezone.now()
        # Nothing happens after the demo's today, nor after the real now (pages would show events
        # from later in the day than the visitor's clock).
        self.horizon = min(at(today, 23, 59), real_now - timedelta(minutes=1))
        self.today = today
        self.now = start
        self._queue: list[tuple[datetime, int, Story]] = []
        self._counter = 0
        self._traveller: time_machine.travel | None = None
        self._coordinates: time_machine.Coordinates | None = None

    def __enter__(self) -> DemoClock:
        self._traveller = time_machine.travel(self.now, tick=False)
        self._coordinates = self._traveller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._traveller is not None
        self._traveller.stop()
        self._traveller = self._coordinates = None
        for _when, _n, story in self._queue:
            story.close()
        self._queue.clear()

    def move_to(self, moment: datetime) -> None:
        """Set the clock (forwards only: history must read forwards)."""
        assert self._coordinates is not None, "use the clock as a context manager"
        if moment < self.now:
            raise ValueError(f"The demo clock cannot go back from {self.now} to {moment}.")
        self.now = moment
        self._coordinates.move_to(moment)

    def spawn(self, story: Story) -> None:
        """Start a story: it runs until its first yield right away (at the current moment)."""
        self._advance(story)

    def spawn_all(self, stories: Iterable[Story]) -> None:
        for story in stories:
            self.spawn(story)

    def _advance(self, story: Story) -> None:
        try:
            moment = next(story)
        except StopIteration:
            return
        if moment < self.now:
            story.close()
            raise ValueError(f"A demo story asked to go back in time, from {self.now} to {moment}.")
        if moment > self.horizon:
            story.close()  # the rest of this story has not happened yet
            return
        self._counter += 1
        heapq.heappush(self._queue, (moment, self._counter, story))

    def run(self) -> None:
        """Run every story to its end or to the horizon, in time order."""
        while self._queue:
            moment, _n, story = heapq.heappop(self._queue)
            self.move_to(moment)
            self._advance(story)
