"""Give every public site issue's photos their public copies (deploy/README.md, "Upgrades").

Accepting an issue does this after its transaction commits; this command catches up the issues
accepted before the release that introduced it, and any copy a failed commit hook left unmade.
Running it again copies nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand

from renovation.supervision.models import PUBLIC_STATUSES, SiteIssue
from renovation.supervision.services import site_issue_photos_publish


class Command(BaseCommand):
    help = "Copy the photos of public (accepted) site issues to the public storage."

    def handle(self, *args: Any, **options: Any) -> None:
        issues = SiteIssue.objects.filter(status__in=PUBLIC_STATUSES).values_list("pk", flat=True)
        copied = sum(site_issue_photos_publish(issue_id=pk) for pk in issues.iterator())
        self.stdout.write(f"{copied} photo(s) of public site issues copied to the public storage.")
