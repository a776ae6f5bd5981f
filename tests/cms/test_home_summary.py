"""The home page's stored sections (cms.home_summary): the same page as live, stale from the commit
of each change the home page shows until its job has run, never trusted when it was not written by
this site for this release, and read in one query however many projects there are."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.home_summary import (
    HOME_CHANGES,
    PART_TEMPLATES,
    _signature,
    home_summary_rebuild,
    home_summary_refresh,
)
from cms.models import HomePublicSummary
from renovation.projects.models import ProjectStatus
from renovation.public.cache import Change, pages_changed
from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db
REBUILD = "cms.tasks.home_summary_rebuild"
THIS_YEAR = timezone.localdate().year


def _page(client, url: str, language: str = "zh-hans"):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    # The only bytes that differ from one request to the next: the CSP nonce and the CSRF token.
    html = re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-+/=]{20,}"', r'\1="…"', response.content.decode())
    return response, html


def _stale() -> None:
    HomePublicSummary.objects.update(generation=F("generation") + 1)


def _stored_and_live(client, url: str, language: str) -> tuple[str, str]:
    """The page rendered from its stored sections, then live (the rows marked stale)."""
    assert home_summary_rebuild() == 2
    stored, stored_html = _page(client, url, language)
    assert stored.context["home_html"] is not None, "the stored sections were not read"
    _stale()
    live, live_html = _page(client, url, language)
    assert live.context["home_html"] is None, "the page did not render live"
    return stored_html, live_html


def _rate(project, scores: list[int]) -> None:
    from renovation.consultation.models import Channel, SatisfactionRating
    from tests.consultation.factories import HouseholdFactory

    for score in scores:
        household = HouseholdFactory(neighbourhood=project.neighbourhood)
        SatisfactionRating.objects.create(project=project, household=household, overall=score, channel=Channel.PAPER)


@pytest.fixture
def plans(published_project, personas):
    """Two plan years: last years' finished and rated, with a quarter disclosed; this year's started."""
    from renovation.finance.models import EntryKind, LedgerEntry
    from renovation.finance.services import disclosure_publish

    done, _page = published_project(
        items=2, reports_per_item=2, plan_year=2023, status=ProjectStatus.ACCEPTED, name="飞云花园改造", slug="feiyun"
    )
    _rate(done, [5, 4, 4])
    LedgerEntry.objects.create(
        project=done,
        kind=EntryKind.PAYMENT,
        amount=Decimal("123456.00"),
        booked_on=date(2024, 2, 1),
        counterparty="瑞安市建筑工程有限公司",
        purpose="进度款",
    )
    disclosure_publish(actor=personas.bureau, project=done, year=2024, quarter=1)
    started, _page = published_project(items=1, reports_per_item=1, plan_year=THIS_YEAR, name="虹桥新村改造", slug="hq")
    return done, started


def _forget_changes_rolled_back_by_earlier_tests() -> None:
    from cms import home_summary

    home_summary.rebuilds.forget()


@pytest.mark.parametrize("language, signed_in", [("zh-hans", False), ("en", False), ("zh-hans", True), ("en", True)])
@pytest.mark.parametrize("url", ["/", "/?year=2023", f"/?year={THIS_YEAR}", "/?year=1999", "/?year=x"])
def test_it_renders_the_same_page_from_its_stored_sections_as_live(client, personas, plans, language, signed_in, url):
    if signed_in:  # the header and footer differ; the sections do not
        client.force_login(personas.resident)
    stored_html, live_html = _stored_and_live(client, url, language)
    assert stored_html == live_html
    year = 2023 if url == "/?year=2023" else THIS_YEAR
    heading = f"{year}年改造计划" if language == "zh-hans" else f"{year} renovation plan"
    assert f"<h1>{heading}</h1>" in stored_html
    assert f'<a href="?year={year}" aria-current="true">{year}</a>' in stored_html
    shown = "/projects/feiyun/" if year == 2023 else "/projects/hq/"
    assert f'<a href="{shown}">' in stored_html and 'action="/projects/"' in stored_html
    if year == 2023:
        assert "4.3 / 5" in stored_html and "12.35" in stored_html  # satisfaction; 万元 disclosed


def test_it_renders_the_same_empty_page_from_its_stored_sections_as_live(client, db):
    stored_html, live_html = _stored_and_live(client, "/", "zh-hans")
    assert stored_html == live_html
    assert "暂无已公开的项目。" in stored_html and "暂无已确认的进度。" in stored_html


def test_it_keeps_only_json_of_html_for_every_plan_year(plans):
    home_summary_rebuild()
    rows = {row.language: row for row in HomePublicSummary.objects.all()}
    assert set(rows) == {"zh-hans", "en"}
    for row in rows.values():
        content = json.loads(row.content)
        assert set(content) == {"site", "years", "by_year"}
        assert content["years"] == [THIS_YEAR, 2023]
        assert set(content["by_year"]) == {str(THIS_YEAR), "2023"}
        for parts in content["by_year"].values():
            assert set(parts) == set(PART_TEMPLATES)
            # Nothing of a visitor: no token, no sign-in state.
            assert not any("csrf" in html or "Sign out" in html for html in parts.values())


def test_the_changes_that_mark_it_stale_are_those_the_one_list_says_touch_the_home_page():
    assert {
        Change.PLACE,
        Change.PLAN,
        Change.PROJECT,
        Change.WORK_ITEM,
        Change.PROGRESS,
        Change.LEDGER,
        Change.DISCLOSURE,
        Change.TENDER,
        Change.CONSULTATION,
        Change.PAGE,
        Change.SITE,
    } == HOME_CHANGES


def _rebuild_jobs_run() -> None:
    """What the worker does: run the queued rebuild jobs (``settings.TASKS = DATABASE_BACKEND``)."""
    from django_tasks_db.models import DBTaskResult

    for job in DBTaskResult.objects.filter(task_path=REBUILD):
        job.task.call(**job.args_kwargs["kwargs"])
        job.delete()


@pytest.mark.parametrize("change", list(Change))
def test_each_change_the_home_page_shows_marks_it_stale_once_its_transaction_commits(
    settings, plans, change, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    done, _started = plans
    home_summary_rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed(change, project_id=done.pk)
        # Not inside the change's transaction: no lock on the rows every change marks.
        assert not any(row.built_generation < row.generation for row in HomePublicSummary.objects.all())
    stale = {row.built_generation < row.generation for row in HomePublicSummary.objects.all()}
    assert stale == {change in HOME_CHANGES}


def _progress(personas, done, started):
    from renovation.projects.services import progress_report_confirm, progress_report_submit

    item = started.work_items.get()
    report = progress_report_submit(actor=personas.bureau, work_item=item, percent=Decimal("70"), note="外墙涂料完成")
    progress_report_confirm(actor=personas.bureau, report=report)
    return "/", "外墙涂料完成"


def _project(personas, done, started):
    from renovation.projects.services import project_update

    project_update(actor=personas.bureau, project=started, data={"name": "虹桥新村二期改造"})
    return "/", "虹桥新村二期改造"


def _work_item(personas, done, started):
    from renovation.projects.services import work_item_update

    work_item_update(actor=personas.bureau, work_item=started.work_items.get(), data={"description": "屋面防水翻新"})
    return "/", "屋面防水翻新"


def _disclosure(personas, done, started):
    from renovation.finance.models import EntryKind, LedgerEntry
    from renovation.finance.services import disclosure_publish

    LedgerEntry.objects.create(
        project=done,
        kind=EntryKind.PAYMENT,
        amount=Decimal("500000.00"),
        booked_on=date(2024, 5, 1),
        counterparty="瑞安市建筑工程有限公司",
        purpose="进度款",
    )
    disclosure_publish(actor=personas.bureau, project=done, year=2024, quarter=2)
    return "/?year=2023", "62.35"  # 万元 paid in the two quarters disclosed


def _satisfaction(personas, done, started):
    from renovation.consultation.services import satisfaction_rate
    from tests.consultation.factories import HouseholdFactory

    household = HouseholdFactory(neighbourhood=done.neighbourhood)
    satisfaction_rate(actor=personas.bureau, project=done, household=household, overall=1, scores={})
    return "/?year=2023", "3.5 / 5"  # (5 + 4 + 4 + 1) / 4


def _page_unpublished(personas, done, started):
    from cms.models import ProjectPage

    ProjectPage.objects.get(project=started).unpublish()
    return "/", '<span class="updates__project">虹桥新村改造</span>'  # no link to a page not public


@pytest.mark.parametrize(
    "make", [_progress, _project, _work_item, _disclosure, _satisfaction, _page_unpublished], ids=lambda f: f.__name__
)
def test_a_change_shows_live_from_its_commit_and_stored_once_its_job_has_run(
    client, settings, personas, plans, django_capture_on_commit_callbacks, make
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    done, started = plans
    home_summary_rebuild()
    with django_capture_on_commit_callbacks(execute=True):  # committed; the job not yet run
        url, shown = make(personas, done, started)
    assert all(row.built_generation < row.generation for row in HomePublicSummary.objects.all())
    live, live_html = _page(client, url)
    assert live.context["home_html"] is None and shown in live_html

    _rebuild_jobs_run()
    stored, stored_html = _page(client, url)
    assert stored.context["home_html"] is not None and shown in stored_html
    assert stored_html == live_html


def test_one_job_rebuilds_it_after_a_transaction_of_many_changes(
    client, settings, personas, plans, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    _done, started = plans
    home_summary_rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("虹桥新村一期改造", "虹桥新村二期改造"):  # two changes, one transaction
            project_update(actor=personas.bureau, project=started, data={"name": name})

    assert _page(client, "/")[0].context["home_html"] is None
    jobs = DBTaskResult.objects.filter(task_path=REBUILD)
    assert jobs.count() == 1
    assert jobs.get().task.call(**jobs.get().args_kwargs["kwargs"]) == 2
    response, html = _page(client, "/")
    assert response.context["home_html"] is not None and "虹桥新村二期改造" in html


def test_it_does_not_take_sections_rendered_before_a_later_change_as_current(monkeypatch, plans):
    from cms import home_summary
    from cms.services import home_public_summaries_mark_stale

    render = home_summary._render

    def render_while_a_change_commits(language, site, now):
        rendered = render(language, site, now)  # from what was committed before the change
        home_public_summaries_mark_stale()
        return rendered

    monkeypatch.setattr(home_summary, "_render", render_while_a_change_commits)
    assert home_summary_rebuild() == 0
    assert all(row.built_generation < row.generation for row in HomePublicSummary.objects.all())
    monkeypatch.undo()
    assert home_summary_rebuild() == 2


def _signed(content: str | None = None, **sections):
    """A row signed with the site's key whose content is not what the job writes: ``content``, or
    sections with the row's own site and ``sections`` over them."""

    def damage(row):
        text = content
        if text is None:
            parts = dict.fromkeys(PART_TEMPLATES, "<p>x</p>")
            site = json.loads(row.content)["site"]
            text = json.dumps({"site": site, "years": [THIS_YEAR], "by_year": {str(THIS_YEAR): parts}, **sections})
        return {"content": text, "signature": _signature(row.language, row.build, text)}

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        lambda row: {"content": row.content.replace("虹桥新村改造", "<script>alert(1)</script>")},
        lambda row: {"signature": "0" * 64},  # typed into the database, or another installation's
        lambda row: {"signature": _signature("en" if row.language != "en" else "zh-hans", row.build, row.content)},
        _signed("\x80\x04\x95 an old pickle, or garbage"),
        _signed("[]"),
        _signed(by_year={str(THIS_YEAR): {"plan": "<p>x</p>"}}),
        _signed(years=str(THIS_YEAR)),
        _signed(by_year={}),
    ],
    ids=[
        "unsigned",
        "foreign-signature",
        "another-languages",
        "signed-garbage",
        "signed-list",
        "signed-partial",
        "signed-years-text",
        "signed-year-missing",
    ],
)
def test_it_ignores_a_corrupted_or_foreign_row_logs_it_and_renders_live(client, plans, caplog, damage):
    home_summary_rebuild()
    for row in HomePublicSummary.objects.all():
        HomePublicSummary.objects.filter(pk=row.pk).update(**damage(row))

    with caplog.at_level(logging.ERROR, logger="cms.home_summary"):
        response, html = _page(client, "/")
    assert response.context["home_html"] is None
    assert "<script>alert(1)</script>" not in html and "<p>x</p>" not in html
    assert "虹桥新村改造" in html
    assert "unreadable summary in zh-hans" in caplog.text


def test_an_unreadable_row_is_logged_once_per_row_as_built_never_a_500(client, plans, caplog):
    home_summary_rebuild()
    HomePublicSummary.objects.filter(language="zh-hans").update(signature="0" * 64)

    def logged() -> list:
        return [record for record in caplog.records if "unreadable summary in zh-hans" in record.getMessage()]

    with caplog.at_level(logging.ERROR, logger="cms.home_summary"):
        for _request in range(3):
            response, _html = _page(client, "/")
            assert response.status_code == 200 and response.context["home_html"] is None
    assert len(logged()) == 1 and logged()[0].exc_info is not None
    HomePublicSummary.objects.update(generation=F("generation") + 1)  # a change, then its job
    home_summary_rebuild()  # built again, and unreadable again: a new row as built, logged again
    HomePublicSummary.objects.filter(language="zh-hans").update(signature="0" * 64)
    with caplog.at_level(logging.ERROR, logger="cms.home_summary"):
        _page(client, "/")
    assert len(logged()) == 2


@pytest.mark.parametrize(
    "outdated",
    [
        lambda row: {"build": "another release"},
        lambda row: {"version": 0},
        lambda row: {"valid_until": timezone.now()},
        _signed(site=-1),  # rendered for another site's links
    ],
    ids=["other-build", "other-version", "past-its-time", "other-site"],
)
def test_it_renders_live_over_a_row_of_another_release_time_or_site(client, plans, outdated):
    home_summary_rebuild()
    for row in HomePublicSummary.objects.all():
        HomePublicSummary.objects.filter(pk=row.pk).update(**outdated(row))
    response, html = _page(client, "/")
    assert response.context["home_html"] is None and "<p>x</p>" not in html and "虹桥新村改造" in html


def test_the_clock_rebuilds_rows_missing_stale_outdated_or_past_their_time(plans):
    assert home_summary_refresh() == 2  # none yet
    assert home_summary_refresh() == 0
    _stale()  # a lost job
    assert home_summary_refresh() == 2
    HomePublicSummary.objects.filter(language="en").update(build="another release")
    assert home_summary_refresh() == 2
    HomePublicSummary.objects.update(valid_until=timezone.now())  # midnight
    assert home_summary_refresh() == 2
    assert home_summary_refresh() == 0


def test_its_queries_are_the_same_with_many_projects_and_fewer_than_live(client, published_project):
    published_project(items=1, reports_per_item=1, plan_year=THIS_YEAR)
    home_summary_rebuild()
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").context["home_html"] is not None
    for year in (2023, 2024, THIS_YEAR):
        for _ in range(4):
            published_project(items=3, reports_per_item=2, plan_year=year)
    home_summary_rebuild()
    with CaptureQueriesContext(connection) as many:
        assert client.get("/").context["home_html"] is not None
    _stale()
    with CaptureQueriesContext(connection) as live:
        assert client.get("/").context["home_html"] is None
    assert len(few) == len(many)
    assert len(live) - len(many) == 8  # the live sections' queries, all read from the one row instead


def test_a_burst_of_changes_queues_a_job_each_but_renders_the_sections_once(
    client, settings, personas, plans, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the jobs wait in their table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    _done, started = plans
    home_summary_rebuild()
    for name in ("虹桥新村一期改造", "虹桥新村二期改造", "虹桥新村三期改造"):  # three transactions
        with django_capture_on_commit_callbacks(execute=True):
            project_update(actor=personas.bureau, project=started, data={"name": name})
    jobs = list(DBTaskResult.objects.filter(task_path=REBUILD))
    assert len(jobs) == 3

    first, *rest = jobs
    assert first.task.call(**first.args_kwargs["kwargs"]) == 2  # from what the last change committed
    for job in rest:  # the rows current: one read, nothing rendered or written
        with CaptureQueriesContext(connection) as queries:
            assert job.task.call(**job.args_kwargs["kwargs"]) == 0
        assert len(queries) == 1, [query["sql"] for query in queries]
    response, html = _page(client, "/")
    assert response.context["home_html"] is not None and "虹桥新村三期改造" in html

    # A change after those checks: marked after its commit, so its own job finds the rows stale.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=started, data={"name": "虹桥新村四期改造"})
    job = DBTaskResult.objects.get(task_path=REBUILD)
    assert job.task.call(**job.args_kwargs["kwargs"]) == 2
    response, html = _page(client, "/")
    assert response.context["home_html"] is not None and "虹桥新村四期改造" in html


@pytest.mark.parametrize(
    "outdated",
    [{"version": 0}, {"build": "another"}, {"valid_until": timezone.now()}, {"generation": F("generation") + 1}],
    ids=["version", "build", "midnight", "stale"],
)
def test_its_job_rebuilds_rows_of_another_version_or_build_past_their_time_or_stale(plans, outdated):
    from cms.tasks import home_summary_rebuild as job

    home_summary_rebuild()
    HomePublicSummary.objects.filter(language="en").update(**outdated)
    assert job.call() == 2
    assert all(row.built_generation == row.generation for row in HomePublicSummary.objects.all())


def test_a_change_whose_mark_failed_queues_a_job_that_rebuilds_the_rows_regardless(
    client, settings, personas, plans, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from cms import services
    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    _done, started = plans
    home_summary_rebuild()

    def fails() -> None:
        raise RuntimeError("database gone for a moment")

    monkeypatch.setattr(services, "home_public_summaries_mark_stale", fails)
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=started, data={"name": "虹桥新村五期改造"})
    assert not any(row.built_generation < row.generation for row in HomePublicSummary.objects.all())
    job = DBTaskResult.objects.get(task_path=REBUILD)
    assert job.args_kwargs["kwargs"] == {"force": True}
    assert job.task.call(**job.args_kwargs["kwargs"]) == 2  # though the rows looked current
    response, html = _page(client, "/")
    assert response.context["home_html"] is not None and "虹桥新村五期改造" in html
