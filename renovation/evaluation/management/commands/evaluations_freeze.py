"""Freeze the monthly street evaluation (月评价) of every ended month not frozen yet.

The workers run it hourly as a job (JOBS_SCHEDULE, renovation/evaluation/tasks.py); this command runs it
now, by hand. Running it again changes nothing, and a
frozen month is never recomputed.
"""

from typing import Any

from django.core.management.base import BaseCommand

from renovation.evaluation.services import monthly_evaluations_freeze


class Command(BaseCommand):
    help = "Freeze the monthly street evaluation of every month that has ended and is not frozen yet."

    def handle(self, *args: Any, **options: Any) -> None:
        written = monthly_evaluations_freeze()
        if options["verbosity"] > 1 or written:
            self.stdout.write(f"{written} street evaluation(s) frozen.")
