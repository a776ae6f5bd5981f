"""The project page's summary of the apps built on projects, kept in one row per project.

The consultation, the tenders, the money, the issue figures, the contractors and the latest photo
cost some twenty queries to compute; the page reads them instead from ProjectPublicSummary
(loaded with the project by ProjectIndexPage.route, so at no query of its own). The summary holds
exactly what those apps' selectors return, in each language, and is rebuilt from them after the
commit of every change that alters it (``summaries_after_change``, registered with the public page
cache so it runs before the pages are invalidated, once per commit) and by the clock for what time alone changes
(midnight, a tender's opening: ``valid_until``). Missing, stale or of another version, it is
ignored and the page computes the same parts live: a GET never writes, and no figure has two
sources. The content is pickled: written and read only here, from our own database.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asgiref.local import Local
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from renovation.consultation import selectors as consultation_selectors
from renovation.finance import public as finance_public
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project
from renovation.projects.services import project_public_summary_store
from renovation.public.cache import Change, next_midnight
from renovation.supervision import selectors as supervision_selectors
from renovation.tendering import selectors as tendering_selectors

logger = logging.getLogger(__name__)

# Bump when PageParts or what its selectors return changes shape: older rows are then ignored.
SUMMARY_VERSION = 2
# The changes that alter a summary; progress, work items' figures, the latest issues and comments
# are read live.
SUMMARY_CHANGES = frozenset(
    {
        Change.PROJECT,
        Change.WORK_ITEM,
        Change.LEDGER,
        Change.DISCLOSURE,
        Change.TENDER,
        Change.CONSULTATION,
        Change.SITE_ISSUE,
        Change.PROGRESS_PHOTO,  # the first screen's latest photo
    }
)


@dataclass
class PageParts:
    consultation: dict[str, Any]
    tender_cards: list[Any]
    finance: finance_public.PublicFinance
    issue_figures: supervision_selectors.ResponseFigures
    contractors: list[Any]
    latest_photo: Any


def page_parts(project: Project, now: datetime) -> tuple[PageParts, datetime]:
    """The parts, live from their selectors, and the moment the clock alone could change them."""
    tender_cards = tendering_selectors.project_tender_cards(project, now)
    parts = PageParts(
        consultation=consultation_selectors.project_consultation(project),
        tender_cards=tender_cards,
        finance=finance_public.public_finance(
            project, timezone.localdate(now), payments_limit=finance_public.RECENT_PAYMENTS
        ),
        issue_figures=supervision_selectors.project_response_figures(project),
        contractors=tendering_selectors.project_contractors(project),
        # A photo of the works when there is one, else the latest public site-issue photo.
        latest_photo=(
            project_selectors.project_latest_photo(project) or supervision_selectors.latest_public_photo(project)
        ),
    )
    clock = tendering_selectors.next_clock_change([card.tender for card in tender_cards], now)
    midnight = next_midnight(now)
    return parts, min(clock, midnight) if clock else midnight


def stored_parts(project: Project, now: datetime) -> PageParts | None:
    """The kept parts in the active language, or None when there are none fit to show now."""
    try:
        summary = project.public_summary
    except Project.public_summary.RelatedObjectDoesNotExist:
        return None
    if summary.version != SUMMARY_VERSION or summary.valid_until <= now:
        return None
    try:
        by_language = pickle.loads(bytes(summary.content))
    except Exception:
        logger.exception("project %s: unreadable public summary, computed live", project.pk)
        return None
    return by_language.get(translation.get_language())


def project_summaries_rebuild(project_ids: Iterable[int], now: datetime | None = None) -> int:
    """Rebuild the summaries of these projects from the selectors; returns how many."""
    now = now or timezone.now()
    projects = Project.objects.filter(pk__in=set(project_ids)).select_related(*project_selectors.PROJECT_RELATED)
    count = 0
    for project in projects:
        by_language = {}
        valid_until = next_midnight(now)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                parts, until = page_parts(project, now)
            for card in parts.tender_cards:
                # Only the opening record computed from the bids is shown: the bids stay in their table.
                getattr(card.tender, "_prefetched_objects_cache", {}).pop("bids", None)
            by_language[code] = parts
            valid_until = min(valid_until, until)
        project_public_summary_store(
            project_id=project.pk, version=SUMMARY_VERSION, content=pickle.dumps(by_language), valid_until=valid_until
        )
        count += 1
    return count


# Per thread and per asynchronous context (asgiref's Local), like Django's own connections.
_pending = Local()


def summaries_after_change(change: Change, project_ids: set[int]) -> None:
    """Note the projects a change touches (renovation.public.cache.on_pages_changed, inside the
    change's transaction); their summaries are rebuilt once after it commits, however many changes
    it made. Ids left by a rolled-back transaction are rebuilt with the next commit: harmless."""
    if change not in SUMMARY_CHANGES or not project_ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending.update(project_ids)
    transaction.on_commit(_rebuild_pending)


def _rebuild_pending() -> None:
    ids, _pending.ids = getattr(_pending, "ids", None), None
    if not ids:
        return  # an earlier callback of the same commit rebuilt them
    try:
        project_summaries_rebuild(ids)
    except Exception:  # the change is committed: the page computes live until the clock rebuilds
        logger.exception("project summaries %s: rebuild failed", sorted(ids))


def project_summaries_refresh(now: datetime | None = None) -> int:
    """Rebuild every published project's summary that is missing, outdated or past its time (the
    clock runs this); returns how many were rebuilt."""
    from .models import ProjectPage

    now = now or timezone.now()
    due = (
        ProjectPage.objects.live()
        .filter(
            Q(project__public_summary__isnull=True)
            | Q(project__public_summary__valid_until__lte=now)
            | ~Q(project__public_summary__version=SUMMARY_VERSION)
        )
        .values_list("project_id", flat=True)
    )
    return project_summaries_rebuild(list(due), now)
