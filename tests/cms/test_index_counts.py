"""The project index's kept totals (cms.index_counts): the same total as counted live for the index
and for each filter value alone, stale from the commit of each change the index shows until its job
has run, never trusted when unreadable, and counted live for a search or several filters."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.index_counts import INDEX_CHANGES, index_counts_rebuild, index_counts_refresh
from cms.models import ProjectIndexCounts
from renovation.projects.models import ProjectStatus
from renovation.public.cache import Change
from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db
REBUILD = "cms.tasks.index_counts_rebuild"


@pytest.fixture
def projects(settings, personas, published_project):
    """Five projects over two streets, two plan years, two statuses and the six categories; a page of two."""
    settings.PROJECT_INDEX_PAGE_SIZE = 2
    for _ in range(3):
        published_project(items=1, reports_per_item=0, plan_year=2023, status=ProjectStatus.ACCEPTED)
    for _ in range(2):
        published_project(
            items=3,
            reports_per_item=0,
            neighbourhood=personas.street_b_place,
            plan_year=2024,
            status=ProjectStatus.UNDER_CONSTRUCTION,
        )


def _page(client, query: dict[str, str]) -> tuple[str, list[str]]:
    """The index's HTML (its list and total) and the SQL of the queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/projects/", query)
    assert response.status_code == 200
    html = re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-+/=]{20,}"', r'\1="…"', response.content.decode())
    return html.split("<main", 1)[1], [query["sql"] for query in queries]


def _counted(sql: list[str]) -> bool:
    """Whether the page counted the selected projects (a window count or a count of its own)."""
    return any("COUNT(" in statement.upper() for statement in sql)


def _stale() -> None:
    ProjectIndexCounts.objects.update(generation=F("generation") + 1)


def _forget_changes_rolled_back_by_earlier_tests() -> None:
    from cms import index_counts

    index_counts.rebuilds.forget()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"page": "2"},
        {"page": "3"},
        {"page": "99"},
        {"street": "anyang"},
        {"street": "yuhai", "page": "1"},
        {"street": "nowhere"},
        {"year": "2023"},
        {"year": "2024"},
        {"year": "1999"},
        {"status": "accepted"},
        {"status": "under_construction"},
        {"status": "suspended"},
        {"category": "building"},
        {"category": "networks"},
        {"category": "nonsense"},
    ],
)
def test_it_shows_the_same_page_from_its_kept_totals_as_counted_live(client, projects, query):
    assert index_counts_rebuild() == 1
    kept_html, kept_sql = _page(client, query)
    _stale()
    live_html, live_sql = _page(client, query)
    assert kept_html == live_html
    assert _counted(live_sql) or "共 0 个项目" in live_html
    assert not _counted(kept_sql) or query.get("page") == "99"  # past the end: a count to find the last page


@pytest.mark.parametrize(
    "query, total",
    [({}, "5"), ({"street": "yuhai"}, "2"), ({"year": "2023"}, "3"), ({"category": "networks"}, "2")],
)
def test_it_shows_the_exact_total_kept(client, projects, query, total):
    index_counts_rebuild()
    html, sql = _page(client, query)
    assert f"共 {total} 个项目" in html and not _counted(sql)


@pytest.mark.parametrize(
    "query", [{"q": "飞云"}, {"street": "yuhai", "year": "2024"}, {"status": "accepted", "q": "x"}]
)
def test_it_counts_a_search_or_several_filters_live(client, projects, query):
    index_counts_rebuild()
    html, sql = _page(client, query)
    assert _counted(sql)
    _stale()
    assert _page(client, query)[0] == html


def test_the_changes_that_mark_it_stale_are_those_the_one_list_says_touch_the_index():
    assert {
        Change.PLACE,
        Change.PLAN,
        Change.PROJECT,
        Change.WORK_ITEM,
        Change.PROGRESS,
        Change.TENDER,
        Change.PAGE,
        Change.SITE,
    } == INDEX_CHANGES


def _rebuild_jobs_run() -> None:
    """What the worker does: run the queued jobs (``settings.TASKS = DATABASE_BACKEND``)."""
    from django_tasks_db.models import DBTaskResult

    for job in DBTaskResult.objects.filter(task_path=REBUILD):
        job.task.call(**job.args_kwargs["kwargs"])
        job.delete()


def test_a_new_project_page_is_counted_live_from_its_commit_and_kept_once_its_job_has_run(
    client, settings, projects, published_project, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    index_counts_rebuild()
    with django_capture_on_commit_callbacks(execute=True):  # committed; the job not yet run
        published_project(items=1, reports_per_item=0, plan_year=2024)
    assert all(row.built_generation < row.generation for row in ProjectIndexCounts.objects.all())
    live_html, live_sql = _page(client, {"year": "2024"})
    assert "共 3 个项目" in live_html and _counted(live_sql)

    _rebuild_jobs_run()
    kept_html, kept_sql = _page(client, {"year": "2024"})
    assert kept_html == live_html and not _counted(kept_sql)
    assert "共 6 个项目" in _page(client, {})[0]


def test_a_status_change_is_counted_under_its_new_status_once_its_job_has_run(
    client, settings, personas, projects, django_capture_on_commit_callbacks
):
    from renovation.projects.models import Project
    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND
    _forget_changes_rolled_back_by_earlier_tests()
    index_counts_rebuild()
    project = Project.objects.filter(status=ProjectStatus.UNDER_CONSTRUCTION).first()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"status": ProjectStatus.ACCEPTED})
    _rebuild_jobs_run()
    html, sql = _page(client, {"status": "accepted"})
    assert "共 4 个项目" in html and not _counted(sql)


def test_it_does_not_take_counts_made_before_a_later_change_as_current(monkeypatch, projects):
    from cms import index_counts
    from cms.services import project_index_counts_mark_stale

    counted = index_counts._counted

    def counted_then_changed(index):
        counts = counted(index)
        project_index_counts_mark_stale()  # a change committed while the job counted
        return counts

    monkeypatch.setattr(index_counts, "_counted", counted_then_changed)
    assert index_counts_rebuild() == 0
    assert all(row.built_generation < row.generation for row in ProjectIndexCounts.objects.all())


@pytest.mark.parametrize(
    "counts",
    ["not json", "[]", '{"all": -1}', '{"all": "5"}', '{"all": 2.5}', '{"street": 5}', '{"all": true}'],
)
def test_it_ignores_unreadable_counts_logs_them_and_counts_live(client, projects, caplog, counts):
    index_counts_rebuild()
    ProjectIndexCounts.objects.update(counts=counts)
    with caplog.at_level(logging.ERROR, logger="cms.index_counts"):
        html, sql = _page(client, {"street": "anyang"} if "street" in counts else {})
    assert _counted(sql)
    assert ("共 3 个项目" if "street" in counts else "共 5 个项目") in html
    assert "unreadable counts" in caplog.text


@pytest.mark.parametrize(
    "outdated",
    [{"version": 0}, {"valid_until": timezone.now()}, {"generation": F("generation") + 1}],
    ids=["version", "midnight", "stale"],
)
def test_it_counts_live_over_a_row_of_another_version_or_past_its_time(client, projects, outdated):
    index_counts_rebuild()
    ProjectIndexCounts.objects.update(**outdated)
    html, sql = _page(client, {})
    assert "共 5 个项目" in html and _counted(sql)


def test_the_clock_counts_rows_missing_stale_outdated_or_past_their_time(projects):
    assert index_counts_refresh() == 1  # none yet
    assert index_counts_refresh() == 0
    _stale()  # a lost job
    assert index_counts_refresh() == 1
    ProjectIndexCounts.objects.update(version=0)  # a release that counts otherwise
    assert index_counts_refresh() == 1
    ProjectIndexCounts.objects.update(valid_until=timezone.now())  # midnight
    assert index_counts_refresh() == 1
    assert index_counts_refresh() == 0


def test_a_burst_of_changes_queues_a_job_each_but_counts_once(
    client, settings, personas, projects, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from renovation.projects.models import Project
    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the jobs wait in their table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    index_counts_rebuild()
    under_construction = Project.objects.filter(status=ProjectStatus.UNDER_CONSTRUCTION).order_by("pk")
    for project in under_construction:  # two transactions
        with django_capture_on_commit_callbacks(execute=True):
            project_update(actor=personas.bureau, project=project, data={"status": ProjectStatus.ACCEPTED})
    jobs = list(DBTaskResult.objects.filter(task_path=REBUILD))
    assert len(jobs) == 2

    first, second = jobs
    assert first.task.call(**first.args_kwargs["kwargs"]) == 1  # from what the last change committed
    with CaptureQueriesContext(connection) as queries:  # the row current: nothing counted or written
        assert second.task.call(**second.args_kwargs["kwargs"]) == 0
    assert len(queries) == 2 and not any("projects_project" in query["sql"] for query in queries)
    html, sql = _page(client, {"status": "accepted"})
    assert "共 5 个项目" in html and not _counted(sql)

    # A change after those checks: marked after its commit, so its own job finds the row stale.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=under_construction[0], data={"status": ProjectStatus.AFTERCARE})
    job = DBTaskResult.objects.get(task_path=REBUILD)
    assert job.task.call(**job.args_kwargs["kwargs"]) == 1
    html, sql = _page(client, {"status": "accepted"})
    assert "共 4 个项目" in html and not _counted(sql)
