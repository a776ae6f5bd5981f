"""Ten times the demo: copies of every project with its works, confirmed progress, money,
disclosures, thread and comments, site issues with their steps, and satisfaction ratings with their
category scores (history rows included), and their public pages.

    DATABASE_URL=... .venv/bin/python -m tests.benchmarks.public_data --factor 10

Used by bench_public_pages.py after it measured the demo as seeded. Copies go in with bulk
inserts (django-simple-history's bulk helpers write their history rows); each copy gets a new
project code and slug in the same neighbourhood, and a Wagtail page through cms.services. Tenders
are not copied: their pages and open data are paged or per tender, and a copied tender would
need sealed bids of its own. A copied site issue keeps its reporter, times and status (so the
street league table's response times count it) but not its photos or its working thread; a copied
rating is the same demo household's (households belong to the estate, which the copy shares), with
the demo's words and scores: no personal data is made up or copied beyond what the demo holds.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _copy(instance: Any, **changes: Any) -> Any:
    """An unsaved copy of a model instance with some fields changed."""
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return model(**values)


def multiply(factor: int) -> int:
    """Add ``factor - 1`` copies of every project that is not itself a copy; returns how many."""
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from cms.services import project_pages_sync
    from renovation.consultation.models import CategoryScore, SatisfactionRating
    from renovation.discussion.models import Comment, Thread
    from renovation.finance.models import LedgerEntry, QuarterlyDisclosure
    from renovation.projects.models import ProgressReport, Project, WorkItem
    from renovation.supervision.models import SiteIssue, SiteIssueTransition

    originals = list(Project.objects.exclude(code__contains="-x").order_by("pk"))
    created = 0
    for copy_number in range(1, factor):
        suffix = f"-x{copy_number}"
        with transaction.atomic():
            projects = [
                _copy(project, code=f"{project.code}{suffix}", slug=f"{project.slug}{suffix}") for project in originals
            ]
            bulk_create_with_history(projects, Project, default_change_reason="bench_copy")
            new_of = {
                original.pk: copy
                for original, copy in zip(
                    originals, Project.objects.filter(code__endswith=suffix).order_by("pk"), strict=True
                )
            }
            items = list(WorkItem.objects.filter(project__in=originals).order_by("pk"))
            bulk_create_with_history(
                [_copy(item, project_id=new_of[item.project_id].pk) for item in items],
                WorkItem,
                default_change_reason="bench_copy",
            )
            copied_items = WorkItem.objects.filter(project__code__endswith=suffix).order_by("pk")
            item_of = {original.pk: copy.pk for original, copy in zip(items, copied_items, strict=True)}
            ProgressReport.objects.bulk_create(
                [
                    _copy(report, work_item_id=item_of[report.work_item_id])
                    for report in ProgressReport.objects.filter(work_item__in=items)
                ]
            )
            entries = LedgerEntry.objects.filter(project__in=originals, corrects__isnull=True)
            bulk_create_with_history(
                [
                    _copy(entry, project_id=new_of[entry.project_id].pk, contract_id=None, bank_reference="")
                    for entry in entries
                ],
                LedgerEntry,
                default_change_reason="bench_copy",
            )
            QuarterlyDisclosure.objects.bulk_create(
                [
                    _copy(disclosure, project_id=new_of[disclosure.project_id].pk)
                    for disclosure in QuarterlyDisclosure.objects.filter(project__in=originals)
                ]
            )
            threads = list(Thread.objects.filter(project__in=originals))
            Thread.objects.bulk_create([Thread(project_id=new_of[thread.project_id].pk) for thread in threads])
            thread_of = {
                thread.pk: Thread.objects.get(project_id=new_of[thread.project_id].pk).pk for thread in threads
            }
            Comment.objects.bulk_create(
                [
                    _copy(comment, thread_id=thread_of[comment.thread_id], client_id=None)
                    for comment in Comment.objects.filter(thread__in=threads)
                ]
            )
            # PostgreSQL gives bulk-created rows their keys back: each copy pairs with its original.
            issues = list(SiteIssue.objects.filter(project__in=originals).order_by("pk"))
            copied_issues = bulk_create_with_history(
                [_copy(issue, project_id=new_of[issue.project_id].pk) for issue in issues],
                SiteIssue,
                default_change_reason="bench_copy",
            )
            issue_of = {original.pk: copy.pk for original, copy in zip(issues, copied_issues, strict=True)}
            bulk_create_with_history(
                [
                    _copy(step, issue_id=issue_of[step.issue_id])
                    for step in SiteIssueTransition.objects.filter(issue__in=issues)
                ],
                SiteIssueTransition,
                default_change_reason="bench_copy",
            )
            ratings = list(SatisfactionRating.objects.filter(project__in=originals).order_by("pk"))
            copied_ratings = bulk_create_with_history(
                [_copy(rating, project_id=new_of[rating.project_id].pk) for rating in ratings],
                SatisfactionRating,
                default_change_reason="bench_copy",
            )
            rating_of = {original.pk: copy.pk for original, copy in zip(ratings, copied_ratings, strict=True)}
            bulk_create_with_history(
                [
                    _copy(score, rating_id=rating_of[score.rating_id])
                    for score in CategoryScore.objects.filter(rating__in=ratings)
                ],
                CategoryScore,
                default_change_reason="bench_copy",
            )
        created += len(projects)
    project_pages_sync()
    return created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.dev")
    import django

    django.setup()
    print(f"{multiply(args.factor)} projects added")


if __name__ == "__main__":
    main()
