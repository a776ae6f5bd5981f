"""The project page's summary of the back end, kept in one row per project.

The first screen (status, progress, lateness, next step, what is paid), the consultation, the
works, the photos, the timeline, the tenders, the money, the site issues with their map and
figures cost some twenty queries to compute and most of the page's templates to render. The page
reads them instead from ProjectPublicSummary (loaded with the page by routing, cms/routing.py, so
at no query of its own): per language, the page as every visitor sees it in three parts
(``PART_TEMPLATES``, inserted by ``{% summary_part %}``: ``top``, breadcrumbs and header; ``body``,
from the contents to the money, with the sections above and the page's documents and notices;
``end``, the change log's link) with the few plain values the page itself uses, and apart from
them (column ``changes``) the change log's first page (``CHANGES_TEMPLATE``). Each column holds one
signed entry per language whose HTML is kept as text, not as JSON (``_pack``): a request reads its
own language's entry, checks its signature and slices it, and routing loads only the column its
route shows (``ProjectPage.routing_queryset``). The follow button, the thread's form and anything
else of the visitor stay in the page and are rendered live for each request. The links built from
the page's address (the photos, all payment lines, all site issues, the change log) are kept as
the page's address was when the summary was built (``page_url``): at another address nothing kept
is shown.
The thread's header and comments are kept as an anonymous visitor sees them (``comments``) and
shown to anonymous visitors only; a signed-in visitor gets the thread live, with their actions.
The project index reads each project's card (``CARD_TEMPLATE``, per language) from the row's own
``card`` column, with the projects of the page shown, at no query of its own (``stored_cards``).

A change that alters the summary marks it stale right after its commit (``generation`` bumped,
``summaries_after_change``, registered with the public page cache; a change of places or a plan
import marks every summary; not inside its transaction, where the rows stayed locked until it
ended and two changes could deadlock on them); then one job per transaction
(``cms.tasks.project_summaries_rebuild``) renders it again from the selectors, unless an earlier
job of the same burst already did (``project_summaries_rebuild_stale``), and writes it only if no
later change bumped the generation meanwhile. The clock job ``project-summaries-refresh``
rebuilds what time alone changes (midnight, a tender's opening: ``valid_until``) and whatever a
lost job or a deploy left behind. Missing, stale, of another ``SUMMARY_VERSION`` or ``build`` (the
code and templates that rendered it), past its time, not signed with this site's key or unreadable,
it is ignored and the page renders the same sections (the index the same card) live: a GET never
writes, and no figure has two sources. An unreadable row is logged once per process as built, not on
every request (renovation/public/unreadable.py). The content is data, never code: text and JSON
with a signature, read only here; nothing in it is ever unpickled or evaluated.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import SafeString, mark_safe

from renovation.consultation import selectors as consultation_selectors
from renovation.discussion import selectors as discussion_selectors
from renovation.finance import public as finance_public
from renovation.jobs.queue import RebuildAfterCommit
from renovation.opendata.selectors import project_public_change_log
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project, ProjectPublicSummary
from renovation.projects.services import (
    project_public_summaries_ensure,
    project_public_summaries_mark_stale,
    project_public_summary_store,
)
from renovation.public.build import source_digest
from renovation.public.cache import Change, next_midnight
from renovation.public.unreadable import log_unreadable
from renovation.supervision import selectors as supervision_selectors
from renovation.tendering import selectors as tendering_selectors

from .maps import project_map

logger = logging.getLogger(__name__)

# Bump when what the summary holds changes shape: older rows are then ignored and rebuilt.
SUMMARY_VERSION = 8
# The changes that alter a summary (the page's editorial content is read live, with the visitor's
# parts; its documents and notices are kept: a page, a notice or a document in the library edited
# in Wagtail reports ``Change.PAGE`` for the projects whose pages list it, cms/cache.py).
SUMMARY_CHANGES = frozenset(
    {
        Change.PROJECT,
        Change.WORK_ITEM,
        Change.PROGRESS,  # progress, lateness and the next step, the works and the timeline
        Change.LEDGER,
        Change.DISCLOSURE,
        Change.TENDER,
        Change.CONSULTATION,
        Change.SITE_ISSUE,
        Change.PROGRESS_PHOTO,  # the first screen's latest photo
        Change.COMMENT,  # the thread's comments as an anonymous visitor sees them
        Change.PAGE,  # the project page published (its thread opens, its documents), a notice, a document
    }
)
# Changes of what every summary may show (a neighbourhood's households count in the consultation
# tally; a plan import rewrites projects and places; a page moved changes the pages' addresses,
# which the photo gallery's links hold) that name no project: all are marked stale.
SUMMARY_CHANGES_EVERYWHERE = frozenset({Change.PLACE, Change.PLAN, Change.SITE})
# The page's sections, by name, and the template each is rendered from, here from the selectors
# and in the page when it renders them live (``{% summary_part %}``). None reads the request.
SECTION_TEMPLATES = {
    "answer": "cms/project_answer.html",
    "header_lateness": "cms/includes/project_header_lateness.html",
    "works": "cms/includes/project_works.html",
    "timeline": "cms/includes/project_timeline.html",
    "site_issues": "cms/includes/project_site_issues.html",
    "gallery": "cms/includes/project_gallery.html",  # its links: the page's address when built
    "contractors": "cms/includes/project_contractors.html",
    "consultation": "consultation/includes/project_section.html",
    "tenders": "tendering/includes/project_tenders.html",
    "issue_figures": "cms/includes/project_issue_figures.html",
    "finance": "cms/includes/project_finance.html",
    "finance_end": "cms/includes/project_finance_end.html",
    # The page's documents by kind and its latest notices (their links: as the page's address).
    "publications": "cms/includes/project_publications.html",
    # The page as every visitor sees it, the sections above within it: from the breadcrumbs to the
    # header's end, from the contents to the money, and the change log's link after the thread.
    "top": "cms/includes/project_top.html",
    "body": "cms/includes/project_body.html",
    "end": "cms/includes/project_end.html",
}
# The sections the summary keeps: the page's three (the sections within them come with them). The
# follow button and the thread's form between them are the visitor's, and rendered live.
PART_TEMPLATES = {name: SECTION_TEMPLATES[name] for name in ("top", "body", "end")}
_SIGNATURE_SALT = "cms.summary.ProjectPublicSummary"
# The project page lists the latest public site issues; all of them are on its issues/ page.
RECENT_ISSUES = 5
# The thread's header and comments as an anonymous visitor sees them (no form, no action on a
# comment): kept apart from the parts, the page shows it to anonymous visitors only.
COMMENTS_TEMPLATE = "discussion/includes/thread_comments.html"
# The change log's first page (its breadcrumbs, heading and entries), kept per language: the log's
# sources are the project's, its work items', its ledger's and its consultation's history, whose
# every change is one of ``SUMMARY_CHANGES``. Its other pages, and any ``page`` asked for but the
# first, are read live.
CHANGES_TEMPLATE = "cms/includes/project_changes_log.html"
# The project's card on the project index (inside its link, which the index renders): kept in the
# row's own column (``card``), so that a page of cards is read without the pages' content.
CARD_TEMPLATE = "cms/includes/project_card.html"


@dataclass
class PageParts:
    consultation: dict[str, Any]
    tender_cards: list[Any]
    finance: finance_public.PublicFinance
    issue_figures: supervision_selectors.ResponseFigures
    contractors: list[Any]
    latest_photo: Any
    groups: list[project_selectors.CategoryGroup]
    lateness: Any  # the project's Lateness, each work item's on its item
    timeline: Any
    next_step: project_selectors.NextStep | None
    site_issues: list[Any]
    project_map: dict[str, Any] | None
    photo_gallery: Any


def page_parts(project: Project, now: datetime) -> tuple[PageParts, datetime]:
    """The parts, live from their selectors, and the moment the clock alone could change them."""
    tender_cards = tendering_selectors.project_tender_cards(project, now)
    today = timezone.localdate(now)
    groups = project_selectors.work_items_by_category(project)
    items = [item for group in groups for item in group.items]
    lateness = project_selectors.project_lateness(project, today, items)
    for item in items:
        item.lateness = lateness.items.get(item.pk)
    site_issues = supervision_selectors.public_issues(project, limit=RECENT_ISSUES)
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
        groups=groups,
        lateness=lateness.project,
        timeline=project_selectors.project_timeline(project, groups, today),
        next_step=project_selectors.project_next_step(project, items),
        site_issues=site_issues,
        project_map=project_map(project),
        photo_gallery=project_selectors.project_photo_gallery(project),
    )
    clocks = [
        next_midnight(now),
        tendering_selectors.next_clock_change([card.tender for card in tender_cards], now),
        # A shown issue turns overdue when its deadline passes.
        *(issue.deadline for issue in site_issues if issue.deadline and issue.deadline > now),
    ]
    return parts, min(clock for clock in clocks if clock)


def part_context(project: Project, parts: PageParts) -> dict[str, Any]:
    """What the sections' templates read, and the page's own plain values drawn from the parts."""
    finance = parts.finance
    return {
        "project": project,
        "consultation": parts.consultation,
        "consultation_url": reverse("consultation:household", args=[project.pk]),
        "tender_cards": parts.tender_cards,
        "finance": finance,
        "issue_figures": parts.issue_figures,
        "contractors": parts.contractors,
        "latest_photo": parts.latest_photo,
        "live_key": f"project-{project.pk}",
        "groups": parts.groups,
        "lateness": parts.lateness,
        "timeline": parts.timeline,
        "next_step": parts.next_step,
        "site_issues": parts.site_issues,
        "project_map": parts.project_map,
        "photo_gallery": parts.photo_gallery,
        **_plain_values(parts),
    }


def _plain_values(parts: PageParts) -> dict[str, Any]:
    finance = parts.finance
    return {
        "paid": finance.paid,
        "issues_reported": parts.issue_figures.reported,
        "more_payments": bool(not finance.empty and finance.payments and finance.more_payments),
        "issues_shown": len(parts.site_issues),
    }


def page_context(page: Any, project: Project, now: datetime, page_url: str, *, live: bool = False) -> dict[str, Any]:
    """The project page's context for the kept sections: their stored HTML when the summary is fit
    to show now (``summary_html``; ``comments_html``, the thread for an anonymous visitor, and
    ``thread_open``), else the parts live (``summary_html`` and ``comments_html`` None).
    ``page_url``: the page's address for this request; a summary built under another is not shown.
    ``live``: compute every part (a staff preview)."""
    stored = None if live else stored_context(project, now, page_url)
    if stored is not None:
        return stored
    return {
        "summary_html": None,
        "comments_html": None,
        **part_context(project, page_parts(project, now)[0]),
        **publications_context(page),
    }


def publications_context(page: Any) -> dict[str, Any]:
    """The page's documents and notices, live (two queries), and whether it has any (its contents
    list links to them)."""
    from .selectors import project_publications

    publications = project_publications(page)
    return {
        "publications": publications,
        "has_publications": bool(publications.document_groups or publications.notices),
    }


def stored_context(project: Project, now: datetime, page_url: str) -> dict[str, Any] | None:
    """The kept sections in the active language, or None when there are none fit to show now at
    this address."""
    entry = _stored_entry(project, now, PAGE, page_url)
    if entry is None:
        return None
    values, parts = entry
    return {
        # Rendered by our templates from our selectors, and signed with the site's key.
        "summary_html": {name: mark_safe(parts[name]) for name in PART_TEMPLATES},
        "paid": Decimal(values["paid"]),
        "issues_reported": values["issues_reported"],
        "issues_shown": values["issues_shown"],
        "more_payments": values["more_payments"],
        "has_publications": values["has_publications"],
        "thread_open": values["thread_open"],
        "comments_html": mark_safe(parts["comments"]),
    }


def stored_changes(project: Project, now: datetime, page_url: str) -> SafeString | None:
    """The change log's first page as kept in the active language (``CHANGES_TEMPLATE``), or None
    when there is none fit to show now at this address."""
    entry = _stored_entry(project, now, CHANGES, page_url)
    return None if entry is None else mark_safe(entry[1]["changes"])


# The two kinds of entry a summary keeps, each in its own column: the page's (``content``) and the
# change log's first page (``changes``); routing reads only the column its route shows.
PAGE = "content"
CHANGES = "changes"
# Per kind, the stored texts an entry holds and its plain values with their types (checked on read).
_ENTRY_PARTS = {PAGE: (*PART_TEMPLATES, "comments"), CHANGES: ("changes",)}
_ENTRY_VALUES: dict[str, dict[str, tuple[type, ...]]] = {
    PAGE: {
        "page_url": (str,),
        "paid": (str,),
        "issues_reported": (int,),
        "issues_shown": (int,),
        "more_payments": (bool,),
        "has_publications": (bool,),
        "thread_open": (bool,),
    },
    CHANGES: {"page_url": (str,)},
}


def _stored_entry(
    project: Project, now: datetime, kind: str, page_url: str
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The active language's entry of this kind (its plain values, its texts), if the summary is fit
    to show now at this address; an unreadable one is logged (once per row as built) and ignored."""
    summary = _fit(project, now)
    if summary is None:
        return None
    try:
        values, parts = _unpack(project.pk, summary.build, kind, getattr(summary, kind), translation.get_language())
    except (ValueError, KeyError, TypeError, IndexError, InvalidOperation):
        log_unreadable(
            logger,
            (project.pk, summary.version, summary.build, summary.built_generation, kind),
            "project %s: unreadable public summary (%s), computed live",
            project.pk,
            kind,
        )
        return None
    # Its links to the page's own sub-pages were written for the address the page had then.
    return (values, parts) if values["page_url"] == page_url else None


def _pack(project_id: int, build: str, kind: str, entries: dict[str, tuple[dict[str, Any], dict[str, str]]]) -> str:
    """One column's text: a first line of JSON giving each language's entry (where it starts and
    ends in the text that follows, and its signature), then the entries. An entry is one line of
    JSON (its plain values and the length of each text) followed by its texts as they are, so a
    page reads its own language's entry and takes its HTML by slicing, decoding no JSON of it."""
    index: dict[str, list[Any]] = {}
    body: list[str] = []
    at = 0
    for language, (values, parts) in entries.items():
        head = json.dumps(
            {**values, "parts": [[name, len(parts[name])] for name in _ENTRY_PARTS[kind]]},
            ensure_ascii=False,
            sort_keys=True,
        )
        entry = head + "\n" + "".join(parts[name] for name in _ENTRY_PARTS[kind])
        index[language] = [at, at + len(entry), _entry_signature(project_id, build, kind, language, entry)]
        body.append(entry)
        at += len(entry)
    return json.dumps(index, sort_keys=True) + "\n" + "".join(body)


def _unpack(project_id: int, build: str, kind: str, text: str, language: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A language's entry of a column written by ``_pack``; raises on anything not signed by this
    site for this project, build, kind and language, or not of the shape written."""
    newline = text.index("\n")
    start, end, signature = json.loads(text[:newline])[language]
    if not (type(start) is int and type(end) is int and 0 <= start <= end and isinstance(signature, str)):
        raise ValueError("entry's place of the wrong type")
    entry = text[newline + 1 + start : newline + 1 + end]
    if not constant_time_compare(signature, _entry_signature(project_id, build, kind, language, entry)):
        raise ValueError("signature does not match")
    split = entry.index("\n")
    values = json.loads(entry[:split])
    lengths = values.pop("parts")
    types = _ENTRY_VALUES[kind]
    if set(values) != set(types) or not all(type(values[name]) in types[name] for name in types):
        raise ValueError("plain values missing or of the wrong type")
    if [name for name, _length in lengths] != list(_ENTRY_PARTS[kind]):
        raise ValueError("texts missing")
    parts, at = {}, split + 1
    for name, length in lengths:
        if type(length) is not int or length < 0:
            raise ValueError("a text's length of the wrong type")
        parts[name], at = entry[at : at + length], at + length
    if at != len(entry):
        raise ValueError("texts do not fill the entry")
    return values, parts


def _entry_signature(project_id: int, build: str, kind: str, language: str, entry: str) -> str:
    """An entry's HMAC with the site's key: one kind's or language's entry cannot stand for another's."""
    return _signature(project_id, build, f"{kind}\n{language}\n{entry}")


def _render(project: Project, now: datetime) -> tuple[str, str, str, datetime] | None:
    """The summary's two columns (the page's entries, the change log's) and the index card in
    every language, and until when they hold; None for a project without a page."""
    from .models import ProjectPage

    page = ProjectPage.objects.filter(project_id=project.pk).first()
    if page is None:
        return None
    page_url = page.get_url()  # as the page computes it: ProjectPage.get_context
    pages: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    changes: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    cards = {}
    valid_until = next_midnight(now)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            parts, until = page_parts(project, now)
            context = {
                "page": page,
                "self": page,
                **page.page_values(project, page_url),
                **part_context(project, parts),
                **publications_context(page),
            }
            html = {name: render_to_string(template, context) for name, template in PART_TEMPLATES.items()}
            thread_open, comments = _comments(project)
            log_page = Paginator(project_public_change_log(project), settings.CHANGE_LOG_PAGE_SIZE).get_page(1)
            changes_html = render_to_string(
                CHANGES_TEMPLATE, {"page": page, "self": page, "project": project, "page_obj": log_page}
            )
            cards[code] = render_to_string(CARD_TEMPLATE, card_context(project, parts.lateness))
        values = {
            "page_url": page_url,
            "paid": str(context["paid"]),
            "issues_reported": context["issues_reported"],
            "issues_shown": context["issues_shown"],
            "more_payments": context["more_payments"],
            "has_publications": context["has_publications"],
            "thread_open": thread_open,
        }
        pages[code] = (values, {**html, "comments": comments})
        changes[code] = ({"page_url": page_url}, {"changes": changes_html})
        valid_until = min(valid_until, until)
    return (
        _pack(project.pk, current_build(), PAGE, pages),
        _pack(project.pk, current_build(), CHANGES, changes),
        json.dumps(cards, ensure_ascii=False, sort_keys=True),
        valid_until,
    )


def card_context(project: Project, lateness: Any) -> dict[str, Any]:
    """What the index card's template reads: the project (with its place) and its lateness."""
    return {"project": project, "lateness": lateness}


def stored_cards(projects: Iterable[Project], now: datetime) -> dict[int, SafeString]:
    """The index cards in the active language of those projects whose summary (loaded with them,
    ``card`` but not ``content``) is fit to show now; the others are missing from the answer."""
    language = translation.get_language()
    cards = {}
    for project in projects:
        summary = _fit(project, now)
        if summary is None:
            continue
        card = _card(project.pk, summary.build, summary.card, summary.card_signature, language)
        if card is not None:
            cards[project.pk] = card
    return cards


def stored_card(
    project_id: int,
    *,
    version: int | None,
    build: str,
    generation: int,
    built_generation: int,
    valid_until: datetime,
    card: str,
    card_signature: str,
    now: datetime,
) -> SafeString | None:
    """The index card in the active language from a summary read as plain values (the project
    index reads them in its own query; ``version`` None: there is no summary), if it is fit to
    show now; else None."""
    if version is None or not _current(version, build, generation, built_generation, valid_until, now):
        return None
    return _card(project_id, build, card, card_signature, translation.get_language())


# Cards read and verified already, by everything the check reads: the same text under the same
# signature and key verifies again, so an index page spends no HMAC or JSON on cards it showed before.
_verified_cards: dict[tuple[int, str, str, str, str, str], SafeString] = {}
VERIFIED_CARDS_LIMIT = 4096


def _card(project_id: int, build: str, card: str, card_signature: str, language: str) -> SafeString | None:
    key = (project_id, build, card, card_signature, language, settings.SECRET_KEY)
    verified = _verified_cards.get(key)
    if verified is not None:
        return verified
    try:
        if not constant_time_compare(card_signature, _card_signature(project_id, build, card)):
            raise ValueError("signature does not match")
        html = json.loads(card)[language]
        if not isinstance(html, str):
            raise ValueError("card not text")
    except (ValueError, KeyError, TypeError):
        key = (project_id, build, card_signature, language)
        log_unreadable(logger, key, "project %s: unreadable index card, rendered live", project_id)
        return None
    if len(_verified_cards) >= VERIFIED_CARDS_LIMIT:
        _verified_cards.clear()
    _verified_cards[key] = verified = mark_safe(html)  # rendered by our template, signed with the site's key
    return verified


def _fit(project: Project, now: datetime) -> ProjectPublicSummary | None:
    """The project's summary row if it is current (this version and build, no change since it was
    built, not past its time), else None."""
    try:
        summary = project.public_summary
    except Project.public_summary.RelatedObjectDoesNotExist:
        return None
    if not _current(
        summary.version, summary.build, summary.generation, summary.built_generation, summary.valid_until, now
    ):
        return None
    return summary


def _current(
    version: int, build: str, generation: int, built_generation: int, valid_until: datetime, now: datetime
) -> bool:
    """A summary of this version and build, as built as its generation, before its time."""
    return (
        version == SUMMARY_VERSION and built_generation == generation and valid_until > now and build == current_build()
    )


def _card_signature(project_id: int, build: str, card: str) -> str:
    """The card's HMAC: the content's, over text that no content can be (it starts with "card")."""
    return _signature(project_id, build, f"card\n{card}")


def _comments(project: Project) -> tuple[bool, str]:
    """Whether the project's thread is open, and its header and comments for an anonymous visitor."""
    thread = discussion_selectors.project_thread(project)
    if thread is None:
        return False, ""
    context = discussion_selectors.thread_context(thread, AnonymousUser(), next_url="")
    return True, render_to_string(COMMENTS_TEMPLATE, context)


def project_summaries_rebuild(project_ids: Iterable[int], now: datetime | None = None) -> int:
    """Rebuild the summaries of these projects from the selectors; returns how many were written
    (one that a change marked stale while it was being rendered is left to that change's job)."""
    now = now or timezone.now()
    ids = set(project_ids)
    if not ids:
        return 0
    # Every project gets its row first, then its generation is read before anything the summary is
    # rendered from: a change committed after this read bumps it, and the conditional write then
    # leaves the row stale for that change's own job.
    project_public_summaries_ensure(project_ids=ids)
    generations = dict(ProjectPublicSummary.objects.filter(project_id__in=ids).values_list("project_id", "generation"))
    projects = Project.objects.filter(pk__in=ids).select_related(*project_selectors.PROJECT_RELATED)
    build = current_build()
    count = 0
    for project in projects:
        rendered = _render(project, now)
        if rendered is None:
            continue  # no page shows it
        content, changes, card, valid_until = rendered
        count += project_public_summary_store(
            project_id=project.pk,
            generation=generations.get(project.pk),
            version=SUMMARY_VERSION,
            build=build,
            content=content,
            changes=changes,
            card=card,
            card_signature=_card_signature(project.pk, build, card),
            valid_until=valid_until,
        )
    return count


def project_summaries_rebuild_stale(project_ids: Iterable[int], now: datetime | None = None) -> int:
    """Rebuild those of these projects' summaries that are not current (missing, stale, of another
    version or build, past their time), as the job does; returns how many were written. A burst of
    changes to a project queues one job per transaction: the first to run after the last of them
    was marked renders what all of them committed, and the others find the row current and render
    nothing (one query). Safe against a change committed after this read: its mark bumps the
    generation after its commit and queues its own job, which finds the row stale."""
    now = now or timezone.now()
    ids = set(project_ids)
    if not ids:
        return 0
    rows = ProjectPublicSummary.objects.filter(project_id__in=ids).values_list(
        "project_id", "version", "build", "generation", "built_generation", "valid_until"
    )
    current = {project_id for project_id, *state in rows if _current(*state, now)}
    return project_summaries_rebuild(ids - current, now)


def _signature(project_id: int, build: str, content: str) -> str:
    """An HMAC with the site's key: a row not written by this site (copied from another project,
    another installation or typed into the database) is never shown."""
    return salted_hmac(_SIGNATURE_SALT, f"{project_id}\n{build}\n{content}", algorithm="sha256").hexdigest()


@functools.cache
def current_build() -> str:
    """A digest of what renders a summary: this module's version, the code, templates, styles and
    compiled translations of cms and renovation, and the key that signs it. A deploy that changes
    any of them makes every summary stale (the clock rebuilds them); web and worker agree when
    they run the same release."""
    digest = hashlib.sha256(f"{SUMMARY_VERSION}\n".encode())
    digest.update(source_digest(("cms", "renovation"), (".py", ".html", ".css", ".mo")))
    digest.update(salted_hmac(_SIGNATURE_SALT, "build", algorithm="sha256").digest())
    return digest.hexdigest()


def _tasks() -> Any:
    from . import tasks  # the tasks module imports this one

    return tasks


# Once per transaction, after its commit, however many changes it made: the summaries marked
# stale, then one job that rebuilds them.
rebuilds = RebuildAfterCommit(
    "project summaries",
    rebuild=lambda ids: _tasks().project_summaries_rebuild.enqueue(project_ids=ids),
    refresh=lambda: _tasks().project_summaries_refresh.enqueue(),  # every stale summary, any noted included
    mark=lambda ids: project_public_summaries_mark_stale(project_ids=ids),
    unmarked=lambda ids: _tasks().project_summaries_rebuild.enqueue(
        project_ids=project_selectors.project_ids_or_every(ids), force=True
    ),
)


def summaries_after_change(change: Change, project_ids: set[int]) -> None:
    """A change that alters the summaries of the projects it names (every summary: a change of
    places, a plan import, a page moved; none: a change naming no project) reported
    (renovation.public.cache.on_pages_changed): once its transaction commits, they are marked stale,
    so the page computes those parts live, and one job rebuilds them (``rebuilds``). Marked after
    the commit, not inside the transaction, where their rows stayed locked until it ended."""
    if change in SUMMARY_CHANGES_EVERYWHERE:
        rebuilds.add(None)
    elif change in SUMMARY_CHANGES and project_ids:
        rebuilds.add(project_ids)


def project_summaries_refresh(now: datetime | None = None) -> int:
    """Rebuild every published project's summary that is missing, stale, outdated or past its
    time (the clock runs this); returns how many were rebuilt."""
    from .models import ProjectPage

    now = now or timezone.now()
    due = (
        ProjectPage.objects.live()
        .filter(
            Q(project__public_summary__isnull=True)
            | Q(project__public_summary__valid_until__lte=now)
            | ~Q(project__public_summary__version=SUMMARY_VERSION)
            | ~Q(project__public_summary__build=current_build())
            | ~Q(project__public_summary__built_generation=F("project__public_summary__generation"))
        )
        .values_list("project_id", flat=True)
    )
    return project_summaries_rebuild(list(due), now)
