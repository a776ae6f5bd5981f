"""Remind construction units of site-issue deadlines that come within SITE_ISSUE_REMIND_HOURS.

The workers run it every 15 minutes as a job (JOBS_SCHEDULE, renovation/supervision/tasks.py); this
command runs it now, by hand. Each deadline is reminded once,
however often it runs.
"""

from typing import Any

from django.core.management.base import BaseCommand

from renovation.supervision.services import site_issues_remind_deadlines


class Command(BaseCommand):
    help = "Remind construction units of site-issue deadlines that are near (once per deadline)."

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = site_issues_remind_deadlines()
        if options["verbosity"] > 1 or reminded:
            self.stdout.write(f"{reminded} site issue(s) reminded.")
