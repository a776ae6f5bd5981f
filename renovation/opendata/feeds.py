"""Atom feeds (RFC 4287) for those who follow a project, the tenders or a street.

Each entry is dated by the day its event happened (the day progress was reached on site, a
notice's day, the change log's date, an OCDS release's date), the same date the pages show, and
read from the same selectors. Tender entries come from the frozen OCDS releases, so a feed can say
nothing about bids that the release did not (nothing before the opening). No entry names a person:
progress is a work item's figure, notices are the deliberation's public steps, tender results
name companies.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from renovation.changelog.selectors import ChangeEntry
from renovation.consultation.selectors import deliberation_notices
from renovation.places.models import Street
from renovation.projects.models import Project
from renovation.projects.selectors import latest_confirmed_reports
from renovation.public.cache import depends_on
from renovation.tendering.models import TenderRelease
from renovation.tendering.ocds import day_start

from .oc4ids import project_page_path
from .selectors import project_public_change_log

FEED_LENGTH = 50
# The releases a tender feed reports (payments and change orders are in the OCDS package and on
# the tender page); a release's id ends with its first tag (tendering.ocds.release_record).
TENDER_FEED_TAGS = ("tender", "tenderUpdate", "award", "contract")


@dataclass(frozen=True)
class FeedEntry:
    when: datetime
    title: str
    description: str
    link: str
    guid: str
    category: str


def _money(amount: Any) -> str:
    return f"{float(amount):,.2f} 元"


# --- progress, notices, change log ---------------------------------------------------------------


def progress_entries(project_ids: Any) -> list[FeedEntry]:
    entries = []
    for report in latest_confirmed_reports(limit=FEED_LENGTH, project_ids=project_ids):
        project = report.work_item.project
        entries.append(
            FeedEntry(
                when=day_start(report.reported_on),
                title=_("%(project)s · %(work)s: progress %(percent)s%%")
                % {"project": project.name, "work": report.work_item.description, "percent": report.percent},
                description=_("Confirmed progress of the work item, as of %(day)s.") % {"day": report.reported_on},
                link=project_page_path(project),
                guid=f"progress-report-{report.pk}",
                category=_("Confirmed progress"),
            )
        )
    return entries


def notice_entries(project: Project) -> list[FeedEntry]:
    entries = []
    for notice in deliberation_notices(project):
        # Notices have no ids of their own: the step, its subject and its day identify one.
        digest = hashlib.sha256(f"{notice.when}|{notice.subject}|{notice.title}".encode()).hexdigest()[:20]
        entries.append(
            FeedEntry(
                when=day_start(notice.when),
                title=f"{notice.subject} · {notice.title}",
                description=notice.detail,
                link=project_page_path(project),
                guid=f"project-{project.pk}-notice-{digest}",
                category=_("Notices"),
            )
        )
    return entries


def _change_text(entry: ChangeEntry) -> str:
    lines = []
    for change in entry.changes:
        if entry.created:
            lines.append(f"{change.label}: {change.new}")
        else:
            lines.append(f"{change.label}: {change.old} → {change.new}")
    if entry.reason:
        lines.append(entry.reason)
    return "\n".join(lines)


def change_log_entries(project: Project) -> list[FeedEntry]:
    entries = []
    for entry in project_public_change_log(project)[:FEED_LENGTH]:
        text = _change_text(entry)
        # The change log has no ids of its own: what changed, and when, identifies an entry.
        digest = hashlib.sha256(f"{entry.when.isoformat()}|{entry.subject}|{text}".encode()).hexdigest()[:20]
        entries.append(
            FeedEntry(
                when=entry.when,
                title=_("Changed: %(subject)s") % {"subject": entry.subject},
                description=text,
                link=project_page_path(project),
                guid=f"project-{project.pk}-change-{digest}",
                category=_("Change log"),
            )
        )
    return entries


# --- tenders, from their OCDS releases -----------------------------------------------------------


def _tender_event(release: TenderRelease) -> tuple[str, str] | None:
    """What a release tells the public, as (category, title), or None if the feed skips it."""
    data, tags = release.data, release.tags
    section = data.get("tender", {})
    title = section.get("title") or release.tender.title
    if "tender" in tags:
        return _("Announcements"), _("Tender announced: %(title)s") % {"title": title}
    if "tenderUpdate" in tags and section.get("status") == "unsuccessful":
        return _("Failures"), _("Tender failed: %(title)s") % {"title": title}
    if "tenderUpdate" in tags and "bids" in data:
        return _("Results"), _("Bids opened: %(title)s (%(count)s bids)") % {
            "title": title,
            "count": section.get("numberOfTenderers", 0),
        }
    for award in data.get("awards", []) if "award" in tags else []:
        supplier = "、".join(company["name"] for company in award.get("suppliers", []))
        amount = _money(award["value"]["amount"])
        if award.get("status") == "active":
            return _("Results"), _("Awarded: %(title)s to %(supplier)s, %(amount)s") % {
                "title": title,
                "supplier": supplier,
                "amount": amount,
            }
        return _("Results"), _("Winner candidate in publicity: %(title)s, %(supplier)s, %(amount)s") % {
            "title": title,
            "supplier": supplier,
            "amount": amount,
        }
    if "contract" in tags and data.get("contracts"):
        contract = data["contracts"][0]
        return _("Results"), _("Contract signed: %(title)s, %(amount)s") % {
            "title": title,
            "amount": _money(contract["value"]["amount"]),
        }
    return None


def tender_entries(street: Street | None = None) -> list[FeedEntry]:
    tagged = Q()
    for tag in TENDER_FEED_TAGS:
        tagged |= Q(release_id__endswith=f"-{tag}")
    releases = TenderRelease.objects.filter(tagged).select_related("tender").order_by("-date", "-pk")
    if street is not None:
        releases = releases.filter(tender__project__neighbourhood__community__street=street)
    entries = []
    for release in releases[:FEED_LENGTH]:
        event = _tender_event(release)
        if event is None:
            continue
        category, title = event
        tender = release.tender
        description = tender.failure_reason if category == _("Failures") else ""
        entries.append(
            FeedEntry(
                when=release.date,
                title=title,
                description=description,
                link=reverse("tendering:detail", args=[tender.pk]),
                guid=release.release_id,
                category=category,
            )
        )
    return entries


def newest(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:FEED_LENGTH]


# --- the feeds -----------------------------------------------------------------------------------


class BufferedAtom1Feed(Atom1Feed):
    """Atom, written in memory and then to the response at once: written straight to the response,
    each of a feed's ~1,500 tags and texts was a response write (and a bytes copy) of its own."""

    def write(self, outfile: Any, encoding: str) -> None:
        buffer = io.BytesIO()
        super().write(buffer, encoding)
        outfile.write(buffer.getvalue())


class _AtomFeed(Feed):
    feed_type = BufferedAtom1Feed

    def author_name(self) -> str:
        # RFC 4287 asks for an author; the publisher, never a person.
        return settings.OCDS_PUBLISHER_NAME

    def item_title(self, item: FeedEntry) -> str:
        return item.title

    def item_description(self, item: FeedEntry) -> str:
        return item.description

    def item_link(self, item: FeedEntry) -> str:
        return item.link

    def item_guid(self, item: FeedEntry) -> str:
        # A stable URN per event, unique to this publisher (named by its registered OCDS prefix).
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{settings.OCDS_OCID_PREFIX}/{item.guid}')}"

    def item_guid_is_permalink(self, item: FeedEntry) -> bool:
        return False

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.when

    def item_updateddate(self, item: FeedEntry) -> datetime:
        return item.when

    def item_categories(self, item: FeedEntry) -> list[str]:
        return [item.category]

    def feed_copyright(self) -> str:
        return settings.OPEN_DATA_LICENCE


class ProjectFeed(_AtomFeed):
    """A project's confirmed progress, its notices and its change log."""

    def get_object(self, request: HttpRequest, slug: str) -> Project:
        # With the feed's stored entries (opendata.stored), not the row's other texts.
        projects = Project.objects.select_related("neighbourhood", "open_data_text").defer(
            "open_data_text__oc4ids", "open_data_text__api"
        )
        project = get_object_or_404(projects, slug=slug)
        depends_on(request, f"project:{project.pk}")
        return project

    def title(self, obj: Project) -> str:
        return _("%(project)s: progress, notices and changes") % {"project": obj.name}

    def link(self, obj: Project) -> str:
        return project_page_path(obj)

    def subtitle(self, obj: Project) -> str:
        return _("Confirmed progress, notices and the change log of the renovation of %(place)s.") % {
            "place": obj.neighbourhood.name
        }

    def items(self, obj: Project) -> list[FeedEntry]:
        from .stored import stored_feed_entries

        kept = stored_feed_entries(obj, timezone.now())
        return kept if kept is not None else project_feed_entries(obj)


def project_feed_entries(project: Project) -> list[FeedEntry]:
    """A project's feed, newest first: its confirmed progress, its notices and its change log
    (kept per language by opendata.stored)."""
    return newest([*progress_entries([project.pk]), *notice_entries(project), *change_log_entries(project)])


class TenderFeed(_AtomFeed):
    """Every tender's announcement, results (opening, winner candidate, award, contract) and failure."""

    def get_object(self, request: HttpRequest) -> None:
        depends_on(request, "tenders")

    def title(self) -> str:
        return _("Tenders: announcements, results and failures")

    def link(self) -> str:
        return reverse("tendering:list")

    def subtitle(self) -> str:
        return _("The street tendering channel (业标街管), from the published OCDS releases.")

    def items(self) -> list[FeedEntry]:
        return newest(tender_entries())


class StreetFeed(_AtomFeed):
    """A street's confirmed progress and its tenders."""

    def get_object(self, request: HttpRequest, code: str) -> Street:
        depends_on(request, "streets", "tenders")
        return get_object_or_404(Street, code=code)

    def title(self, obj: Street) -> str:
        return _("%(street)s: progress and tenders") % {"street": obj.name}

    def link(self, obj: Street) -> str:
        return f"/projects/?street={obj.code}"

    def subtitle(self, obj: Street) -> str:
        return _("Confirmed progress of the street's projects and its tenders.")

    def items(self, obj: Street) -> list[FeedEntry]:
        projects = Project.objects.filter(neighbourhood__community__street=obj).values("pk")
        return newest([*progress_entries(projects), *tender_entries(obj)])
