"""Catch every tender's stored status up with the clock (bidding, opened, failed).

The seal does not depend on this command: bids become readable at the opening time by the clock
alone, and public pages derive the opening from the stored schedule without writing (a GET never
writes). Running it every minute records the statuses and freezes the OCDS opening releases, which
open data and the back office's lists read. The workers run the same every minute as a job (JOBS_SCHEDULE,
renovation/tendering/tasks.py); this command runs it now, by hand.
"""

from typing import Any

from django.core.management.base import BaseCommand

from renovation.tendering.services import tenders_catch_up


class Command(BaseCommand):
    help = "Move tenders whose bid period started or whose opening time passed to their next status."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = tenders_catch_up()
        if options["verbosity"] > 1 or moved:
            self.stdout.write(f"{moved} tender(s) moved on.")
