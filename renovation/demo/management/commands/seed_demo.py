from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from renovation.demo.seed import DemoSeeder


class Command(BaseCommand):
    help = (
        "Load the demo: Ruian's three streets, the 2023 plan (29 projects, 28 completed), last year's "
        "and this year's plans, told through the services on a clock travelling from 2023 to today, "
        "and one account per role. Safe to run again: what exists is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo account a new random password and print it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = DemoSeeder(today=timezone.localdate(), reset_passwords=options["reset_passwords"]).run()
        self.stdout.write(
            f"Demo data: {result['projects_created']} projects created, {result['pages_created']} public pages created."
        )
        self.stdout.write(
            "Demo accounts (staff sign in at /admin/; supervisors, construction units and bidders at /accounts/login/):"
        )
        for account in result["accounts"]:
            street = f", street {account.street_code}" if account.street_code else ""
            if account.password:
                secret = f"password: {account.password}"
            else:
                secret = "password unchanged (run `manage.py seed_demo --reset-passwords` for a new one)"
            self.stdout.write(f"  {account.username:<8} {account.role}{street} — {account.display_name} — {secret}")
