"""Prove the invariants behind the public figures on this database (read-only).

Prints one line per broken record (rule, record, what is wrong) and exits with status 1 when
anything is broken, 0 when every rule holds. Safe on production: it only reads, each rule in a
fixed number of queries, and runs in one read-only snapshot where the database offers it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from renovation.checks.rules import RULES


class Command(BaseCommand):
    help = "Check that the figures agree: lifecycle order, money, progress, contractors and the change log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", action="append", choices=sorted(RULES), help="Check only this rule (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = options["rule"] or list(RULES)
        broken = 0
        # Only a transaction of our own can still be made read-only; inside a caller's (a test's, or
        # a script's), the caller's snapshot is the one read.
        own_transaction = not connection.in_atomic_block
        with transaction.atomic():
            if own_transaction and connection.vendor == "postgresql":
                # One consistent snapshot, and a guarantee that nothing is written.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for code in codes:
                found = 0
                for finding in RULES[code]():
                    self.stdout.write(str(finding))
                    found += 1
                if options["verbosity"] > 1 or found:
                    self.stderr.write(f"{code}: {found} finding(s)")
                broken += found
        if broken:
            raise CommandError(f"{broken} finding(s) in {len(codes)} rule(s).", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"All {len(codes)} rule(s) hold."))
