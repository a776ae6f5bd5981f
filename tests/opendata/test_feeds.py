"""The Atom feeds, read with a real feed parser as a reader would: well-formed Atom (RFC 4287
essentials: id, title, updated, link on the feed and on every entry), each entry dated by the day
its event happened, and pages that announce their feed."""

from __future__ import annotations

from datetime import date

import feedparser
import pytest

from cms.services import project_page_ensure
from renovation.consultation.deliberation_services import deliberation_start
from renovation.projects.services import progress_report_confirm, progress_report_submit
from renovation.tendering.services import tenders_catch_up
from tests.factories import ProjectFactory, WorkItemFactory
from tests.tendering.fixtures import open_now

pytestmark = pytest.mark.django_db


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    for key in ("id", "title", "updated", "link"):
        assert parsed.feed.get(key), f"feed without {key}"
    for entry in parsed.entries:
        for key in ("id", "title", "updated", "link"):
            assert entry.get(key), f"entry without {key}: {entry.get('title')}"
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)
    return parsed


def _progress(personas, project, percent, day):
    item = project.work_items.first() or WorkItemFactory(project=project, description="屋面防水")
    report = progress_report_submit(actor=personas.street_a, work_item=item, percent=percent, reported_on=day)
    return progress_report_confirm(actor=personas.bureau, report=report)


def test_the_project_feed_carries_progress_notices_and_changes_dated_by_the_event(client, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造")
    _progress(personas, project, 40, date(2023, 6, 2))
    deliberation_start(actor=personas.street_a, project=project, subject="加装电梯", description="议事公开")
    parsed = _feed(client, f"/projects/{project.slug}/feed/")
    titles = [entry.title for entry in parsed.entries]
    progress = next(entry for entry in parsed.entries if "40" in entry.title and "屋面防水" in entry.title)
    # Dated by the day progress was reached on site, not the day it was confirmed.
    assert progress.updated.startswith("2023-06-02T00:00:00+08:00")
    assert progress.link == f"http://testserver/projects/{project.slug}/"
    assert any("加装电梯" in title for title in titles)
    assert any(entry.tags[0].term == "变更记录" for entry in parsed.entries)
    assert parsed.feed.rights == "https://creativecommons.org/licenses/by/4.0/"


def test_the_tender_feed_announces_opens_and_reports_failure(client, tender_cast):
    tender_cast.bid(0)
    parsed = _feed(client, "/tenders/feed/")
    assert [entry.tags[0].term for entry in parsed.entries] == ["招标公告"]
    open_now(tender_cast.tender)
    tenders_catch_up()  # the clock job records the opening (a page view never writes)
    parsed = _feed(client, "/tenders/feed/")
    # (open_now moves the opening before the announcement's moment: each entry keeps its event's date)
    (failure,) = [entry for entry in parsed.entries if entry.tags[0].term == "流标"]
    assert "飞云花园外立面及雨污分流改造施工" in failure.title
    assert failure.link == f"http://testserver/tenders/{tender_cast.tender.pk}/"


def test_the_street_feed_holds_only_its_street(client, personas, tender_cast):
    other = ProjectFactory(neighbourhood=personas.street_b_place, name="玉海苑改造")
    _progress(personas, tender_cast.project, 30, date(2023, 7, 1))
    b_report = WorkItemFactory(project=other, description="玉海苑道路")
    mine = _feed(client, "/streets/anyang/feed/")
    assert any("飞云花园改造" in entry.title for entry in mine.entries)
    assert any(entry.tags[0].term == "招标公告" for entry in mine.entries)
    assert not any("玉海" in entry.title for entry in mine.entries)
    assert b_report.pk
    assert client.get("/streets/nowhere/feed/").status_code == 404
    assert client.get("/projects/nothing-here/feed/").status_code == 404


def test_pages_announce_their_feeds(client, personas, site_tree):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    page = project_page_ensure(project=project)
    html = client.get(page.url).content.decode()
    assert f'<link rel="alternate" type="application/atom+xml" href="/projects/{project.slug}/feed/"' in html
    tenders = client.get("/tenders/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" href="/tenders/feed/"' in tenders
