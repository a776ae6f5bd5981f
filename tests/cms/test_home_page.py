from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.projects.models import ProjectStatus, WorkItem
from renovation.projects.selectors import default_plan_year, plan_summary


def test_it_counts_the_plan_by_status(published_project):
    published_project(items=1, plan_year=2023, status=ProjectStatus.ACCEPTED)
    published_project(items=1, plan_year=2023, status=ProjectStatus.AFTERCARE)
    published_project(items=1, plan_year=2023, status=ProjectStatus.UNDER_CONSTRUCTION)
    published_project(items=1, plan_year=2024, status=ProjectStatus.PROPOSED)
    summary = plan_summary(2023)
    assert (summary.planned, summary.under_construction, summary.completed) == (3, 1, 2)


def test_it_weights_overall_progress_by_work_item_budget(published_project):
    published_project(items=1, reports_per_item=10)  # one item at 100 %, budget 100k
    idle, _ = published_project(items=3, reports_per_item=0)  # three items at 0 %
    WorkItem.objects.filter(project=idle).update(budget=Decimal("300000"))  # 900k in all
    # Budget-weighted: 100k × 100 % / 1,000k = 10.0 %; a plain mean of the items would give 25.0,
    # of the projects 50.0.
    assert plan_summary(2023).progress == Decimal("10.0")


def test_it_opens_on_this_years_plan_or_the_latest_one(published_project):
    published_project(items=1, plan_year=2023)
    assert default_plan_year(date(2026, 11, 23)) == 2023
    published_project(items=1, plan_year=2026)
    assert default_plan_year(date(2026, 11, 23)) == 2026


def test_it_shows_the_plan_and_the_latest_confirmed_progress(client, published_project):
    project, _ = published_project(items=2, reports_per_item=2, plan_year=2023)
    html = client.get("/").content.decode()
    assert "2023年改造计划" in html
    assert project.name in html  # latest updates link to the project
    assert 'role="progressbar"' in html


def test_it_shows_an_empty_state_without_projects(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "暂无已公开的项目。" in html
    assert "暂无已确认的进度。" in html
    assert 'role="progressbar"' not in html


def test_its_query_count_does_not_grow_with_updates(client, published_project):
    published_project(items=1, reports_per_item=1)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(6):
        published_project(items=3, reports_per_item=2)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(few) == len(many)
