"""An opened tender's page sections, kept in one row per tender and language (TenderPublicSummary).

Once a tender is opened its page shows the opening record and the red flags (which weigh the
street's other opened tenders: tender_page.py reads every bid of the street for them), the
evaluation, and the award with the contract and its change orders. Live they cost most of the
page's time: the street's rows and the templates of some hundred lines and change orders. The page
inserts them instead from the stored HTML (``PART_TEMPLATES``; detail.html), with the number of
bids received, which the tender's steps show.

The pattern is the project page's and the home page's (cms.summary, cms.home_summary): a tender
step (``Change.TENDER``) or a project change (``Change.PROJECT``) marks the rows of every tender of
the changed projects' streets stale right after its commit, as the red flags of one tender read
the others' bids (a change of places, a plan import or the site marks every row); then one job
(``renovation.tendering.tasks.tender_summaries_rebuild``) renders them again, unless an earlier job
of the same burst already did (``tender_summaries_rebuild_stale``), and writes each only if no
later change bumped its generation meanwhile; the clock (``tender-summaries-refresh``)
builds the rows of tenders the clock opened, and rebuilds those past their time (the next opening
in the street, the tender's own next step, midnight), a deploy or a lost job. Missing, stale, of
another ``TENDER_SUMMARY_VERSION`` or build, past its time, not signed with this site's key,
unreadable, or of another status than the page's tender has now, a row is ignored and the page
renders the sections live: a GET never writes, and no figure has two sources. In publicity the
page renders them live too (it shows the winner candidate from the same rows). No row is kept
for a tender before its opening time: nothing sealed is ever rendered into one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe

from renovation.jobs.queue import RebuildAfterCommit
from renovation.projects.selectors import project_ids_or_every
from renovation.public.build import source_digest
from renovation.public.cache import CHANGE_PAGES, Change, next_midnight
from renovation.public.signed import is_signed, key_digest, signature
from renovation.public.unreadable import log_unreadable

from . import redflags, selectors, tender_page
from .models import Tender, TenderPublicSummary, TenderStatus

logger = logging.getLogger(__name__)

# Bump when what the rows hold changes shape: older rows are then ignored and rebuilt.
TENDER_SUMMARY_VERSION = 1
# The page's sections the rows keep, and the template each is rendered from, by the job and by the
# page when it renders them live. None reads the request or the visitor.
PART_TEMPLATES = {
    "opened": "tendering/includes/tender_opened.html",
    "evaluation": "tendering/includes/tender_evaluation.html",
    "award": "tendering/includes/tender_award.html",
}
# The changes the one list sends to the tenders' pages ("tenders": a tender step or a project change,
# of the street's tenders as the red flags weigh them all) and those of every page ("site": places,
# a plan import, the site).
SUMMARY_CHANGES = frozenset(change for change, pages in CHANGE_PAGES.items() if {"tender", "tenders"} & set(pages))
SUMMARY_CHANGES_EVERYWHERE = frozenset(change for change, pages in CHANGE_PAGES.items() if "site" in pages)
_PURPOSE = "tender page"


@dataclass(frozen=True)
class Sections:
    """The page's opened sections, kept or live: their HTML (``parts``) or their context."""

    received: int
    until: datetime | None  # when the street's next opening joins the flags
    parts: dict[str, SafeString] | None = None
    context: dict[str, Any] | None = None


def live(tender: Tender, now: datetime) -> tuple[Sections | None, Tender]:
    """The sections' context from the street's rows (tender_page.py), and the tender as of ``now``;
    None while the tender is sealed."""
    opened = tender_page.opened(tender, now)
    rows = opened.rows
    tender = selectors.tender_as_of(tender, now, received=len(rows) if rows is not None else None)
    if rows is None:
        return None, tender
    award, contract = tender_page.award_and_contract(tender)
    context = {
        "tender": tender,
        "opening_rows": rows,
        "red_flags": opened.flags,
        "flag_band": redflags.share_label(settings.TENDER_FLAG_CEILING_BAND),
        "evaluation_public": selectors.evaluation_public(tender),
        "ranked_rows": selectors.ranked_rows(rows),
        "award": award,
        "contract": contract,
        "change_orders": tender_page.change_orders(contract),
    }
    return Sections(received=len(rows), until=opened.until, context=context), tender


def stored(tender: Tender, now: datetime) -> tuple[Sections | None, Tender]:
    """The kept sections in the active language and the tender as of ``now``, when its row is fit
    to show now (one query); else (None, the tender unchanged). No query before the opening."""
    if not tender.is_opened(now) or tender.phase(now) == TenderStatus.PUBLICITY:
        return None, tender
    language = translation.get_language()
    row = _current_row(tender.pk, language, now)
    if row is None:
        return None, tender
    content_text, given, generation, valid_until = row
    build = current_build()
    try:
        if not _signed(tender.pk, language, build, content_text, given):
            raise ValueError("signature does not match")
        content = json.loads(content_text)
        parts = content["parts"]
        received = content["received"]
        if set(parts) != set(PART_TEMPLATES) or not all(isinstance(value, str) for value in parts.values()):
            raise ValueError("sections missing or not text")
        if type(received) is not int:
            raise ValueError("received not a number")
        status = content["status"]
    except (ValueError, KeyError, TypeError):
        key = ("tender", tender.pk, language, TENDER_SUMMARY_VERSION, build, generation)
        log_unreadable(logger, key, "tender page %s: unreadable summary in %s, rendered live", tender.pk, language)
        return None, tender
    as_of = selectors.tender_as_of(tender, now, received=received)
    if as_of.status != status:  # not as built: the clock or a step moved it since (the row is stale)
        return None, as_of
    # Rendered by our templates from our selectors, and signed with the site's key.
    kept = {name: mark_safe(value) for name, value in parts.items()}
    return Sections(received=received, until=valid_until, parts=kept), as_of


def _current_row(tender_id: int, language: str, now: datetime) -> tuple[str, str, int, datetime] | None:
    """The content, signature, generation and time limit of the row if it is current (of this
    version and build, as built as its generation, before its time): written out, as the ORM would
    spend more CPU compiling it than the database answering it."""
    table = connection.ops.quote_name(TenderPublicSummary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content, signature, generation, valid_until FROM {table} WHERE tender_id = %s AND language = %s"
            " AND version = %s AND build = %s AND built_generation = generation AND valid_until > %s",
            [
                tender_id,
                language,
                TENDER_SUMMARY_VERSION,
                current_build(),
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    valid_until = row[3]
    if isinstance(valid_until, str):  # SQLite without the column's converter
        valid_until = parse_datetime(valid_until)
    if valid_until is not None and timezone.is_naive(valid_until):  # SQLite keeps UTC without an offset
        valid_until = timezone.make_aware(valid_until, UTC)
    return row[0], row[1], row[2], valid_until


def _signed(tender_id: int, language: str, build: str, content: str, given: str) -> bool:
    """Whether the row's content was written by this site for this tender, language and build."""
    return is_signed(given, _PURPOSE, (tender_id, language, build), content)


def _current_rows(now: datetime) -> QuerySet[TenderPublicSummary]:
    """The rows of this version and build, as built as their generation, before their time (the
    reader's ``_current_row`` but for the signature, which is checked on what they hold)."""
    return TenderPublicSummary.objects.filter(
        Q(version=TENDER_SUMMARY_VERSION)
        & Q(build=current_build())
        & Q(built_generation=F("generation"))
        & Q(valid_until__gt=now)
    )


def _opened(tender_ids: Iterable[int], now: datetime) -> list[int]:
    """Those of these tenders that are opened by ``now`` (only those have rows)."""
    return list(
        Tender.objects.exclude(status=TenderStatus.DRAFT)
        .filter(pk__in=tender_ids, opening_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _render(tender_id: int, language: str, now: datetime) -> tuple[str, datetime] | None:
    """The row's content in a language and its time limit; None for a tender not opened (or gone)."""
    found = selectors.public_tender(tender_id)
    if found is None:
        return None
    with translation.override(language):
        sections, tender = live(found, now)
        if sections is None:
            return None
        parts = {name: render_to_string(template, sections.context) for name, template in PART_TEMPLATES.items()}
    moments = [next_midnight(now), selectors.next_clock_change([tender], now), sections.until]
    until = min(moment for moment in moments if moment is not None)
    content = {"parts": parts, "received": sections.received, "status": tender.status}
    return json.dumps(content, ensure_ascii=False, sort_keys=True), until


def tender_summaries_rebuild(tender_ids: Iterable[int], now: datetime | None = None) -> int:
    """Render the opened sections of these tenders in every language and keep them; returns how
    many rows were written (one a change marked stale meanwhile is left to its job)."""
    now = now or timezone.now()
    opened = _opened(tender_ids, now)
    # The rows first, then their generations before anything is rendered: a change committed after
    # this read bumps them, and the conditional write then leaves them stale for its own job.
    languages = [code for code, _name in settings.LANGUAGES]
    TenderPublicSummary.objects.bulk_create(
        [
            TenderPublicSummary(tender_id=pk, language=code, version=0, valid_until=now)
            for pk in opened
            for code in languages
        ],
        ignore_conflicts=True,
    )
    generations = {
        (pk, code): generation
        for pk, code, generation in TenderPublicSummary.objects.filter(tender_id__in=opened).values_list(
            "tender_id", "language", "generation"
        )
    }
    build = current_build()
    count = 0
    for pk in opened:
        for code in languages:
            rendered = _render(pk, code, now)
            if rendered is None or (pk, code) not in generations:
                continue
            content, until = rendered
            count += TenderPublicSummary.objects.filter(
                tender_id=pk, language=code, generation=generations[pk, code]
            ).update(
                version=TENDER_SUMMARY_VERSION,
                build=build,
                content=content,
                signature=signature(_PURPOSE, (pk, code, build), content),
                built_generation=generations[pk, code],
                built_at=timezone.now(),
                valid_until=until,
            )
    return count


def tender_summaries_rebuild_stale(tender_ids: Iterable[int], now: datetime | None = None) -> int:
    """Render again those of these tenders' rows that are not current (missing, stale, of another
    version or build, past their time, not signed by this site), as the job does: a tender with a
    row that is not current is rendered in every language; returns how many rows were written. A
    burst of changes in a street queues one job per transaction: the first to run after the last
    of them was marked renders what all of them committed, and the others find the rows current
    and render nothing (two queries). A change committed after this read marks the rows after its
    commit and queues its own job, which finds them stale."""
    now = now or timezone.now()
    opened = _opened(tender_ids, now)
    if not opened:
        return 0
    languages = [code for code, _name in settings.LANGUAGES]
    rows = (
        _current_rows(now)
        .filter(tender_id__in=opened, language__in=languages)
        .values_list("tender_id", "language", "build", "content", "signature")
    )
    signed = Counter(pk for pk, language, build, content, given in rows if _signed(pk, language, build, content, given))
    current = {pk for pk, count in signed.items() if count == len(languages)}
    stale = [pk for pk in opened if pk not in current]
    return tender_summaries_rebuild(stale, now) if stale else 0


def tender_summaries_refresh(now: datetime | None = None) -> int:
    """Build the rows of opened tenders that are missing, stale, outdated or past their time (the
    clock runs this); returns how many rows were written."""
    now = now or timezone.now()
    complete = (
        _current_rows(now)
        .values("tender_id")
        .annotate(languages=Count("language"))
        .filter(languages=len(settings.LANGUAGES))
        .values("tender_id")
    )
    due = (
        Tender.objects.exclude(status=TenderStatus.DRAFT)
        .filter(opening_at__lte=now)
        .exclude(pk__in=complete)
        .values_list("pk", flat=True)
    )
    return tender_summaries_rebuild(list(due), now)


def tender_summaries_mark_stale(project_ids: list[int] | None) -> int:
    """Mark stale the rows of every tender in the streets of these projects (all rows: None), right
    after the commit of a change that alters them; returns how many."""
    rows = TenderPublicSummary.objects.all()
    if project_ids is not None:
        from renovation.projects.models import Project

        streets = Project.objects.filter(pk__in=project_ids).values("neighbourhood__community__street")
        rows = rows.filter(tender__project__neighbourhood__community__street__in=streets)
    with transaction.atomic():
        # In the order of their keys, so two changes never wait on each other's rows in a cycle.
        locked = list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        return TenderPublicSummary.objects.filter(pk__in=locked).update(generation=F("generation") + 1)


def tender_ids_in_streets_of(project_ids: list[int]) -> list[int]:
    from renovation.projects.models import Project

    streets = Project.objects.filter(pk__in=project_ids).values("neighbourhood__community__street")
    return list(
        Tender.objects.filter(project__neighbourhood__community__street__in=streets).values_list("pk", flat=True)
    )


@functools.cache
def current_build() -> str:
    """A digest of what renders the rows: this module's version, the code, templates and compiled
    translations of renovation, the red flags' settings and the key that signs them. A deploy that
    changes any of them makes every row stale (the clock rebuilds them)."""
    digest = hashlib.sha256(f"{TENDER_SUMMARY_VERSION}\n".encode())
    for name in ("TENDER_FLAG_CEILING_BAND", "TIME_ZONE", "LANGUAGE_CODE", "LANGUAGES"):
        digest.update(f"{name}={getattr(settings, name, None)!r}\n".encode())
    digest.update(repr(redflags.thresholds_from_settings()).encode())
    digest.update(source_digest(("renovation",), (".py", ".html", ".mo")))
    digest.update(key_digest())
    return digest.hexdigest()


def _tasks() -> Any:
    from . import tasks  # the tasks module imports this one

    return tasks


# Once per transaction, after its commit, however many changes it made: the rows marked stale,
# then one job that renders them again.
rebuilds = RebuildAfterCommit(
    "tender page summary",
    rebuild=lambda ids: _tasks().tender_summaries_rebuild.enqueue(project_ids=ids),
    refresh=lambda: _tasks().tender_summaries_refresh.enqueue(),
    mark=tender_summaries_mark_stale,
    unmarked=lambda ids: _tasks().tender_summaries_rebuild.enqueue(project_ids=project_ids_or_every(ids), force=True),
)


def tender_summaries_after_change(change: Change, project_ids: set[int]) -> None:
    """A change the opened tender pages show (renovation.public.cache.on_pages_changed): once its
    transaction commits, the rows of its projects' streets are marked stale and one job rebuilds
    them (``rebuilds``); a change of every page's places, or naming no project, marks them all."""
    if change in SUMMARY_CHANGES_EVERYWHERE or (change in SUMMARY_CHANGES and not project_ids):
        rebuilds.add(None)
    elif change in SUMMARY_CHANGES:
        rebuilds.add(project_ids)
