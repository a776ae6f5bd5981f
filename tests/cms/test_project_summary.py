"""The project page's stored summary (cms.summary): the same page as live, stale from a change's
commit until its job has run, and never trusted when it was not written by this site."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from cms.summary import (
    CHANGES,
    PAGE,
    PART_TEMPLATES,
    SUMMARY_CHANGES,
    _pack,
    _unpack,
    project_summaries_rebuild,
    project_summaries_refresh,
)
from renovation.projects.models import ProjectPublicSummary
from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db
REBUILD = "cms.tasks.project_summaries_rebuild"


def _page(client, url: str, language: str):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response, _same(response)


def _same(response) -> str:
    """The page's HTML less the only bytes that differ from one request to the next: the CSP
    nonce and the CSRF token."""
    return re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-+/=]{20,}"', r'\1="…"', response.content.decode())


def _stored_and_live(client, page, language: str) -> tuple[str, str]:
    """The page rendered from its summary, then live (the summary marked stale)."""
    project_summaries_rebuild([page.project_id])
    stored, stored_html = _page(client, page.url, language)
    assert stored.context["summary_html"] is not None, "the summary was not read"
    ProjectPublicSummary.objects.filter(project_id=page.project_id).update(generation=F("generation") + 1)
    live, live_html = _page(client, page.url, language)
    assert live.context["summary_html"] is None, "the page did not compute live"
    return stored_html, live_html


def _forget_changes_rolled_back_by_earlier_tests() -> None:
    """Each test's transaction rolls back: what its changes noted is dropped by the next change
    noted (RebuildAfterCommit.add finds none of its callbacks waiting); forgotten here too, so that
    this test's job holds its own projects only, whatever an earlier test left."""
    from cms import summary

    summary.rebuilds.forget()


def _rebuild_jobs_run() -> None:
    """What the worker does: run the queued rebuild jobs (``settings.TASKS = DATABASE_BACKEND``)."""
    from django_tasks_db.models import DBTaskResult

    for job in DBTaskResult.objects.filter(task_path=REBUILD):
        job.task.call(**job.args_kwargs["kwargs"])
        job.delete()


def _marked(project) -> bool:
    row = ProjectPublicSummary.objects.get(project=project)
    return row.built_generation < row.generation


def _payment(project, amount: str, purpose: str):
    from renovation.finance.models import EntryKind, LedgerEntry

    return LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.PAYMENT,
        amount=Decimal(amount),
        booked_on=date(2024, 2, 1),
        counterparty="瑞安市建筑工程有限公司",
        purpose=purpose,
    )


@pytest.mark.parametrize("language, signed_in", [("zh-hans", False), ("en", False), ("zh-hans", True)])
def test_it_renders_the_same_page_from_its_summary_as_live(client, personas, cast, language, signed_in, upload, notice):
    from cms.documents import DocumentKind
    from cms.services import project_document_add, project_page_ensure
    from tests.cms.test_project_page import _grow

    if signed_in:  # a resident sees the thread's form and the follow button: none of it is kept
        client.force_login(personas.resident)
    page = project_page_ensure(project=cast.project)
    _grow(cast.project, personas, cast.supervisor, 6)  # payments, issues with photos, contracts, comments
    plan = upload("飞云花园改造方案（公示稿）", "plan.pdf")
    project_document_add(actor=personas.bureau, project=cast.project, document=plan, kind=DocumentKind.PLAN)
    notice("关于飞云花园改造施工期间停水的通知", project=cast.project, slug="project-water")
    page.refresh_from_db()
    stored_html, live_html = _stored_and_live(client, page, language)
    assert stored_html == live_html
    assert 'id="consultation"' in stored_html and 'id="tenders"' in stored_html
    assert 'href="#documents"' in stored_html and plan.url in stored_html and "停水的通知" in stored_html
    assert f"{page.url}payments/" in stored_html and f"{page.url}issues/" in stored_html


def _cards(response):
    return response.context["page_obj"].object_list


def _index_pages(client, language: str) -> list:
    """Every page of the project index."""
    client.cookies["django_language"] = language
    first = client.get("/projects/")
    pages = first.context["page_obj"].paginator.num_pages
    return [first] + [client.get("/projects/", {"page": number}) for number in range(2, pages + 1)]


def test_it_keeps_html_and_plain_values_per_language_and_the_change_log_apart(published_project):
    project, _page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    row = ProjectPublicSummary.objects.get(project=project)
    for language in ("zh-hans", "en"):
        values, parts = _unpack(project.pk, row.build, PAGE, row.content, language)
        assert set(values) == {
            "paid",
            "issues_reported",
            "issues_shown",
            "more_payments",
            "thread_open",
            "page_url",
            "has_publications",
        }
        assert values["page_url"] == _page.url
        assert set(parts) == {*PART_TEMPLATES, "comments"}
        changes_values, changes = _unpack(project.pk, row.build, CHANGES, row.changes, language)
        assert changes_values == {"page_url": _page.url} and set(changes) == {"changes"}
        # Nothing of a visitor: no form, no token, no sign-in state.
        for html in [*parts.values(), changes["changes"]]:
            assert "csrf" not in html and "<form" not in html and "login" not in html
    cards = json.loads(row.card)
    assert set(cards) == {"zh-hans", "en"} and all(project.name in card for card in cards.values())


def test_each_route_reads_only_the_column_it_shows(client, published_project, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    for url in (page.url, f"{page.url}changes/", f"{page.url}payments/"):
        client.get(url)  # routed once: the next request reads the page in its one query
    reads = {}
    for url in (page.url, f"{page.url}changes/", f"{page.url}payments/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        first = queries.captured_queries[0]["sql"]
        reads[url] = {column for column in ("content", "changes", "card") if f'summary"."{column}"' in first}
    assert reads == {page.url: {"content"}, f"{page.url}changes/": {"changes"}, f"{page.url}payments/": set()}


def test_it_is_stale_from_a_changes_commit_until_its_job_runs_and_shows_the_new_figure_throughout(
    client, settings, personas, published_project, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from renovation.finance.services import ledger_entry_record

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    assert "4,321.00" not in client.get(page.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        for purpose in ("楼道灯具更换进度款", "屋面防水进度款"):  # two changes, one transaction
            ledger_entry_record(
                actor=personas.street_a,
                data={
                    "project": project,
                    "kind": "payment",
                    "amount": Decimal("4321.00"),
                    "counterparty": "瑞安市建筑工程有限公司",
                    "purpose": purpose,
                    "booked_on": timezone.localdate(),
                },
            )

    summary = ProjectPublicSummary.objects.get(project=project)
    assert summary.built_generation < summary.generation  # stale: the page computes live
    before = client.get(page.url)
    assert before.context["summary_html"] is None and "屋面防水进度款" in before.content.decode()
    jobs = DBTaskResult.objects.filter(task_path=REBUILD)
    assert [job.args_kwargs["kwargs"] for job in jobs] == [{"project_ids": [project.pk]}]  # one job for both

    jobs.get().task.call(**jobs.get().args_kwargs["kwargs"])
    after = client.get(page.url)
    assert after.context["summary_html"] is not None and "屋面防水进度款" in after.content.decode()
    assert "8,642.00" in after.content.decode()  # paid, on the first screen and in the finance section


def test_it_does_not_take_a_summary_rendered_before_a_later_change_as_current(monkeypatch, published_project):
    from cms import summary
    from renovation.projects.services import project_public_summaries_mark_stale

    project, _page = published_project(items=1)
    render = summary._render

    def render_while_a_change_commits(project, now):
        rendered = render(project, now)  # from what was committed before the change
        project_public_summaries_mark_stale(project_ids={project.pk})
        return rendered

    monkeypatch.setattr(summary, "_render", render_while_a_change_commits)
    assert project_summaries_rebuild([project.pk]) == 0
    row = ProjectPublicSummary.objects.get(project=project)
    assert row.built_generation < row.generation  # left to the change's own job
    monkeypatch.undo()
    assert project_summaries_rebuild([project.pk]) == 1


def test_its_changes_mark_the_summary_stale_once_their_transaction_commits(
    settings, personas, published_project, django_capture_on_commit_callbacks
):
    from renovation.projects.services import project_update

    assert SUMMARY_CHANGES  # each of them reaches the listener through pages_changed
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    project, _page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal("250000")})
        assert not _marked(project)  # not inside the change's transaction: no lock on the row
    assert _marked(project)


def _signed(values: dict, parts: dict, *, project_offset: int = 0, kind: str = PAGE):
    """A row whose page entries are signed with the site's key (for another project, or as the
    change log's, when asked) but are not what the summary writes."""

    def damage(row):
        entries = dict.fromkeys(("zh-hans", "en"), (values, parts))
        return {"content": _pack_any(row.project_id + project_offset, row.build, kind, entries)}

    return damage


def _pack_any(project_id: int, build: str, kind: str, entries: dict) -> str:
    """``_pack`` for any values and texts, not only those of the kind's shape."""
    from cms import summary

    shapes = summary._ENTRY_PARTS
    summary._ENTRY_PARTS = {**shapes, kind: tuple(next(iter(entries.values()))[1])}
    try:
        return _pack(project_id, build, kind, entries)
    finally:
        summary._ENTRY_PARTS = shapes


_VALUES = {
    "page_url": "",  # never compared: each entry below fails its checks before
    "paid": "1",
    "issues_reported": 0,
    "issues_shown": 0,
    "more_payments": False,
    "has_publications": False,
    "thread_open": False,
}
_PARTS = {"top": "<script>alert(1)</script>", "body": "", "end": "", "comments": ""}


@pytest.mark.parametrize(
    "damage",
    [
        lambda row: {"content": "\x80\x04\x95 an old pickle, or garbage"},
        lambda row: {"content": json.dumps({"zh-hans": {"html": {"tenders": "<script>alert(1)</script>"}}})},
        lambda row: {"content": row.content.replace("4,321.00", "<script>alert(1)</script>")},  # edited
        lambda row: {"content": re.sub(r'"[0-9a-f]{64}"', '"' + "0" * 64 + '"', row.content)},  # another site's
        _signed(_VALUES, _PARTS, project_offset=1),  # another project's
        _signed(_VALUES, _PARTS, kind=CHANGES),  # signed as a change log
        lambda row: {"content": row.changes},  # the change log's entries in the page's place
        _signed({**_VALUES, "paid": 1}, _PARTS),  # a value of the wrong type
        _signed(_VALUES, {"top": "<script>alert(1)</script>"}),  # texts missing
    ],
    ids=[
        "unreadable",
        "unsigned",
        "edited",
        "foreign-signature",
        "another-projects",
        "another-kinds",
        "change-log-entries",
        "signed-wrong-type",
        "signed-partial",
    ],
)
def test_it_ignores_a_corrupted_or_foreign_summary_and_renders_live(client, published_project, caplog, damage):
    project, page = published_project(items=1)
    _payment(project, "4321.00", "进度款")
    project_summaries_rebuild([project.pk])
    row = ProjectPublicSummary.objects.get(project=project)
    ProjectPublicSummary.objects.filter(project=project).update(**damage(row))

    with caplog.at_level(logging.ERROR, logger="cms.summary"):
        response = client.get(page.url)
    assert response.status_code == 200
    assert response.context["summary_html"] is None
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "4,321.00" in response.content.decode()
    assert "unreadable public summary" in caplog.text


def _unreadable_logs(caplog) -> list:
    return [record for record in caplog.records if "unreadable public summary" in record.getMessage()]


def test_an_unreadable_summary_is_logged_once_per_row_as_built_never_a_500(client, published_project, caplog):
    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    ProjectPublicSummary.objects.filter(project=project).update(content="garbage", changes="garbage")

    with caplog.at_level(logging.ERROR, logger="cms.summary"):
        for _request in range(3):
            response = client.get(page.url)
            assert response.status_code == 200 and response.context["summary_html"] is None
    [logged] = _unreadable_logs(caplog)
    assert logged.exc_info is not None  # the first time with its traceback
    with caplog.at_level(logging.ERROR, logger="cms.summary"):
        assert client.get(f"{page.url}changes/").context["changes_html"] is None  # the change log's: its own
        assert client.get(f"{page.url}changes/").context["changes_html"] is None
    assert len(_unreadable_logs(caplog)) == 2
    # A change, its job, and unreadable again: a new row as built, logged again.
    ProjectPublicSummary.objects.filter(project=project).update(generation=F("generation") + 1)
    project_summaries_rebuild([project.pk])
    ProjectPublicSummary.objects.filter(project=project).update(content="garbage")
    with caplog.at_level(logging.ERROR, logger="cms.summary"):
        assert client.get(page.url).context["summary_html"] is None
    assert len(_unreadable_logs(caplog)) == 3


def test_a_row_that_stays_unreadable_is_logged_again_after_a_while_in_one_line(
    client, published_project, caplog, monkeypatch
):
    from renovation.public import unreadable

    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    ProjectPublicSummary.objects.filter(project=project).update(content="garbage")
    with caplog.at_level(logging.ERROR, logger="cms.summary"):
        client.get(page.url)
        client.get(page.url)
        monkeypatch.setattr(unreadable, "REPEAT_SECONDS", 0.0)
        client.get(page.url)
    first, again = _unreadable_logs(caplog)
    assert first.exc_info is not None and again.exc_info is None
    assert "2 requests since last logged" in again.getMessage()


def test_the_clock_rebuilds_a_summary_left_stale_or_built_by_another_release(published_project):
    project, _page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    assert project_summaries_refresh() == 0
    ProjectPublicSummary.objects.filter(project=project).update(generation=50)  # a lost job
    assert project_summaries_refresh() == 1
    ProjectPublicSummary.objects.filter(project=project).update(build="another release")
    assert project_summaries_refresh() == 1
    assert project_summaries_refresh() == 0


def test_a_neighbourhoods_new_household_count_reaches_the_consultation_tally_at_once(
    client, settings, personas, published_project, django_capture_on_commit_callbacks
):
    from renovation.places.services import neighbourhood_update

    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    neighbourhood = project.neighbourhood
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    with django_capture_on_commit_callbacks(execute=True):  # committed; the job not yet run
        neighbourhood_update(actor=personas.bureau, neighbourhood=neighbourhood, data={"household_count": 987})
    assert _marked(project)
    response = client.get(page.url)
    assert response.context["summary_html"] is None
    assert response.context["consultation"]["tally"].households == 987


def _progress(project, personas) -> str:
    from renovation.projects.services import progress_report_confirm, progress_report_submit

    report = progress_report_submit(actor=personas.bureau, work_item=project.work_items.get(), percent=Decimal("73"))
    progress_report_confirm(actor=personas.bureau, report=report)
    return 'aria-valuenow="73.0"'  # the project's progress on the first screen, its work item's


def _comment(project, personas) -> str:
    from renovation.discussion.selectors import project_thread
    from renovation.discussion.services import comment_post

    comment_post(actor=personas.resident, thread=project_thread(project), text="楼道灯什么时候换？")
    return "楼道灯什么时候换？"


@pytest.mark.parametrize("change", [_progress, _comment], ids=["progress", "comment"])
def test_a_newly_kept_change_makes_the_summary_stale_from_its_commit_until_its_job_rebuilds_it(
    client, settings, personas, published_project, django_capture_on_commit_callbacks, change
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    with django_capture_on_commit_callbacks(execute=True):
        shown = change(project, personas)
        assert not _marked(project)  # not inside the change's transaction: no lock on the row
    assert _marked(project)  # from its commit
    response = client.get(page.url)
    assert response.context["summary_html"] is None and shown in response.content.decode()
    _rebuild_jobs_run()
    row = ProjectPublicSummary.objects.get(project=project)
    assert row.built_generation == row.generation
    response = client.get(page.url)
    assert response.context["summary_html"] is not None and shown in response.content.decode()
    assert response.context["comments_html"] is not None  # an anonymous visitor: the kept thread


def test_a_document_edited_or_deleted_in_the_library_makes_the_summary_stale_and_its_job_rebuilds_it(
    client, settings, personas, published_project, upload, django_capture_on_commit_callbacks
):
    from cms.documents import DocumentKind
    from cms.services import project_document_add

    _forget_changes_rolled_back_by_earlier_tests()
    project, page = published_project(items=1)
    document = upload("飞云花园改造方案（公示稿）", "plan.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        project_document_add(actor=personas.bureau, project=project, document=document, kind=DocumentKind.PLAN)
    project_summaries_rebuild([project.pk])
    response = client.get(page.url)
    assert response.context["summary_html"] is not None and "（公示稿）" in response.content.decode()

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    with django_capture_on_commit_callbacks(execute=True):
        document.title = "飞云花园改造方案（定稿）"
        document.save()  # as Wagtail's document editor saves it
        assert not _marked(project)  # not inside the edit's transaction: no lock on the row
    assert _marked(project)  # from its commit
    _rebuild_jobs_run()
    response = client.get(page.url)
    assert response.context["summary_html"] is not None and "（定稿）" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    _rebuild_jobs_run()
    response = client.get(page.url)
    assert response.context["summary_html"] is not None
    assert "飞云花园改造方案" not in response.content.decode() and 'href="#documents"' not in response.content.decode()


def test_a_notice_published_for_the_project_reaches_its_page_through_the_summary(
    client, personas, published_project, notice, django_capture_on_commit_callbacks
):
    _forget_changes_rolled_back_by_earlier_tests()
    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    assert 'href="#documents"' not in client.get(page.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        notice("关于飞云花园改造施工期间停水的通知", project=project, slug="project-water")
    response = client.get(page.url)
    assert response.context["summary_html"] is not None
    assert "停水的通知" in response.content.decode() and 'href="#documents"' in response.content.decode()


def test_a_preview_computes_every_part_live(client, personas, published_project):
    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    client.force_login(personas.bureau)
    response = client.get(f"/admin/pages/{page.pk}/view_draft/")
    assert response.status_code == 200
    assert response.context["summary_html"] is None and response.context["publications"] is not None


def test_it_keeps_the_thread_for_anonymous_visitors_only(client, personas, published_project):
    project, page = published_project(items=1)
    shown = _comment(project, personas)
    project_summaries_rebuild([project.pk])
    anonymous = client.get(page.url)
    assert anonymous.context["comments_html"] is not None and shown in anonymous.content.decode()
    assert "<form" not in anonymous.context["comments_html"]
    client.force_login(personas.resident)
    resident = client.get(page.url)
    assert resident.context["summary_html"] is not None and resident.context["comments_html"] is None
    assert shown in resident.content.decode() and 'name="text"' in resident.content.decode()  # the form


def _index(client, language: str):
    client.cookies["django_language"] = language
    response = client.get("/projects/")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_index_renders_the_same_cards_from_the_summaries_as_live(client, published_project, language):
    projects = [published_project(items=2)[0], published_project(items=1, reports_per_item=0)[0]]
    project_summaries_rebuild([project.pk for project in projects])
    stored = _index(client, language)
    assert all(page.card_html is not None for page in stored.context["page_obj"].object_list)
    ProjectPublicSummary.objects.update(generation=F("generation") + 1)
    live = _index(client, language)
    assert all(page.card_html is None for page in live.context["page_obj"].object_list)
    assert _same(stored) == _same(live)
    assert all(project.name in stored.content.decode() for project in projects)


def test_the_index_shows_a_fresh_card_right_after_a_change(
    client, settings, personas, published_project, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    project, _page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    assert 'aria-valuenow="10.0"' in _index(client, "zh-hans").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        shown = _progress(project, personas)
    response = _index(client, "zh-hans")
    assert response.context["page_obj"].object_list[0].card_html is None  # stale from the commit: live
    assert shown in response.content.decode() and 'aria-valuenow="10.0"' not in response.content.decode()
    _rebuild_jobs_run()
    response = _index(client, "zh-hans")
    assert response.context["page_obj"].object_list[0].card_html is not None  # rebuilt
    assert shown in response.content.decode()


def test_the_index_ignores_a_card_not_signed_by_this_site(client, published_project, caplog):
    project, _page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    forged = json.dumps({"zh-hans": "<h2>伪造</h2>", "en": "<h2>forged</h2>"})
    ProjectPublicSummary.objects.filter(project=project).update(card=forged)
    with caplog.at_level(logging.ERROR, logger="cms.summary"):
        response = _index(client, "zh-hans")
    assert response.context["page_obj"].object_list[0].card_html is None
    assert "伪造" not in response.content.decode() and project.name in response.content.decode()
    assert "unreadable index card" in caplog.text


def _changes(client, url: str, language: str, **query):
    client.cookies["django_language"] = language
    response = client.get(url, query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_renders_the_change_logs_first_page_the_same_from_its_summary_as_live(
    client, settings, personas, published_project, language
):
    from renovation.projects.services import project_update

    settings.CHANGE_LOG_PAGE_SIZE = 4
    project, page = published_project(items=2, reports_per_item=2)
    for step in range(3):
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal(1000 * (step + 1))})
    url = f"{page.url}changes/"
    project_summaries_rebuild([project.pk])
    stored = _changes(client, url, language)
    assert stored.context["changes_html"] is not None, "the summary was not read"
    first = _changes(client, url, language, page="1")
    assert first.context["changes_html"] is not None
    # Any other page, or a page number that is not one, is read live, as before.
    for asked in ("2", "abc", "999", "0"):
        assert _changes(client, url, language, page=asked).context["changes_html"] is None
    ProjectPublicSummary.objects.filter(project_id=project.pk).update(generation=F("generation") + 1)
    live = _changes(client, url, language)
    assert live.context["changes_html"] is None
    assert _same(stored) == _same(live)  # (``?page=1`` differs only by the language form's return path)
    assert 'rel="next"' in _same(stored) and "?page=2" in _same(stored)


def test_the_kept_change_log_costs_one_query_whatever_the_length_of_the_history(
    client, settings, personas, published_project, django_assert_num_queries
):
    from renovation.projects.services import project_update

    settings.CHANGE_LOG_PAGE_SIZE = 10
    project, page = published_project(items=2, reports_per_item=1)
    url = f"{page.url}changes/"
    project_summaries_rebuild([project.pk])
    client.get(url)
    with django_assert_num_queries(1):  # the page with its project and summary (cms/routing.py)
        assert client.get(url).context["changes_html"] is not None
    for step in range(30):
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal(1000 * (step + 1))})
    project_summaries_rebuild([project.pk])
    with django_assert_num_queries(1):
        html = client.get(url).content.decode()
    assert 'rel="next"' in html


def test_a_change_reaches_the_kept_change_log_right_after_its_commit(
    client, settings, personas, published_project, django_capture_on_commit_callbacks
):
    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    project, page = published_project(items=1)
    url = f"{page.url}changes/"
    project_summaries_rebuild([project.pk])
    assert "某监理公司" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"supervising_engineer": "某监理公司"})
    response = client.get(url)  # stale from the change's commit: live
    assert response.context["changes_html"] is None and "某监理公司" in response.content.decode()
    _rebuild_jobs_run()
    response = client.get(url)
    assert response.context["changes_html"] is not None and "某监理公司" in response.content.decode()


def test_a_burst_of_changes_queues_a_job_each_but_renders_each_summary_once(
    client, settings, personas, published_project, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the jobs wait in their table, as for the worker
    project, page = published_project(items=1)
    other, _other_page = published_project(items=1)
    project_summaries_rebuild([project.pk, other.pk])
    _forget_changes_rolled_back_by_earlier_tests()  # and what making the two projects noted
    for name in ("飞云花园一期改造", "飞云花园二期改造", "飞云花园三期改造"):  # three transactions
        with django_capture_on_commit_callbacks(execute=True):
            project_update(actor=personas.bureau, project=project, data={"name": name})
    jobs = list(DBTaskResult.objects.filter(task_path=REBUILD))
    assert [job.args_kwargs["kwargs"] for job in jobs] == [{"project_ids": [project.pk]}] * 3

    first, *rest = jobs
    assert first.task.call(**first.args_kwargs["kwargs"]) == 1  # from what the last change committed
    for job in rest:  # the row current: one read, nothing rendered or written
        with CaptureQueriesContext(connection) as queries:
            assert job.task.call(**job.args_kwargs["kwargs"]) == 0
        assert len(queries) == 1, [query["sql"] for query in queries]
    response = client.get(page.url)
    assert response.context["summary_html"] is not None and "飞云花园三期改造" in response.content.decode()

    # A job naming a current and a stale summary renders the stale one only.
    ProjectPublicSummary.objects.filter(project=other).update(generation=F("generation") + 1)
    assert first.task.call(project_ids=[project.pk, other.pk]) == 1
    assert not _marked(project) and not _marked(other)

    # A change after those checks: marked after its commit, so its own job finds the row stale.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"name": "飞云花园四期改造"})
    job = DBTaskResult.objects.get(task_path=REBUILD)
    assert job.task.call(**job.args_kwargs["kwargs"]) == 1
    response = client.get(page.url)
    assert response.context["summary_html"] is not None and "飞云花园四期改造" in response.content.decode()


@pytest.mark.parametrize(
    "outdated",
    [{"version": 0}, {"build": "another"}, {"valid_until": timezone.now()}, {"generation": F("generation") + 1}],
    ids=["version", "build", "midnight", "stale"],
)
def test_its_job_rebuilds_a_summary_of_another_version_or_build_past_its_time_or_stale(published_project, outdated):
    from cms.tasks import project_summaries_rebuild as job

    project, _page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    ProjectPublicSummary.objects.filter(project=project).update(**outdated)
    assert job.call(project_ids=[project.pk]) == 1
    assert not _marked(project)
    assert job.call(project_ids=[project.pk]) == 0
