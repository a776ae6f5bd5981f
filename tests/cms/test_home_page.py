from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


def _rated(published_project, plan_year: int, scores: list[int]):
    from renovation.consultation.models import Channel, SatisfactionRating
    from tests.consultation.factories import HouseholdFactory

    project, _page = published_project(items=1, plan_year=plan_year, status=ProjectStatus.ACCEPTED)
    for score in scores:
        household = HouseholdFactory(neighbourhood=project.neighbourhood)
        SatisfactionRating.objects.create(project=project, household=household, overall=score, channel=Channel.PAPER)
    return project


def test_it_shows_under_a_plan_year_only_that_years_satisfaction(client, published_project):
    _rated(published_project, 2023, [5, 5, 5])
    _rated(published_project, 2026, [2])

    html = client.get("/?year=2026").content.decode()

    assert "2.0 / 5" in html
    assert "5.0 / 5" not in html and "4.2 / 5" not in html
    assert "3.0 / 5" not in client.get("/?year=2023").content.decode()


def test_it_shows_under_a_plan_year_only_that_years_latest_updates(client, published_project):
    old, _page = published_project(items=1, plan_year=2023, name="旧年项目改造", code="OLD", slug="old")
    new, _page = published_project(items=1, plan_year=2026, name="今年项目改造", code="NEW", slug="new")

    html = client.get("/?year=2026").content.decode()
    assert new.name in html and old.name not in html
    html = client.get("/?year=2023").content.decode()
    assert old.name in html and new.name not in html


def test_it_orders_updates_by_the_day_progress_was_reached_on_site(personas, published_project):
    from renovation.projects.selectors import latest_confirmed_reports
    from renovation.projects.services import progress_report_confirm, progress_report_submit

    project, _page = published_project(items=2, reports_per_item=0)
    first, second = project.work_items.order_by("pk")
    late_entry = progress_report_submit(
        actor=personas.bureau, work_item=first, percent=Decimal("40"), reported_on=date(2023, 6, 20)
    )
    early_entry = progress_report_submit(
        actor=personas.bureau, work_item=second, percent=Decimal("30"), reported_on=date(2023, 5, 2)
    )
    progress_report_confirm(actor=personas.bureau, report=late_entry)
    progress_report_confirm(actor=personas.bureau, report=early_entry)  # confirmed last, happened first

    assert [report.reported_on for report in latest_confirmed_reports(plan_year=2023)] == [
        date(2023, 6, 20),
        date(2023, 5, 2),
    ]


def test_find_my_estate_comes_first_and_finds_it_in_any_plan_year(client, published_project, personas):
    import re

    older, _page = published_project(plan_year=2023)  # in 飞云花园
    published_project(plan_year=2026, name="另一小区改造", neighbourhood=personas.street_b_place)
    html = client.get("/").content.decode()
    main = html.split('id="main"', 1)[1]
    # The search is the first thing in the page's content, before the plan's figures.
    assert main.index('class="find-estate"') < main.index('class="hero"')
    form = re.search(r'<form class="find-estate" method="get" action="([^"]+)" role="search">', main)
    assert form and form.group(1) == "/projects/"
    assert '<label for="find-estate">查找我的小区</label>' in main and 'name="q"' in main
    # The form's query finds the estate whatever its plan year (no year in the query).
    found = client.get(form.group(1), {"q": older.neighbourhood.name}).content.decode()
    assert f"/projects/{older.slug}/" in found and "另一小区改造" not in found


def test_its_query_count_is_the_same_with_ten_times_the_projects(client, personas, published_project):
    from tests.benchmarks.public_data import multiply

    this_year = timezone.localdate().year
    for _ in range(3):
        published_project(items=2, reports_per_item=2, plan_year=this_year)
    _rated(published_project, this_year, [4, 5])
    client.get("/")
    with CaptureQueriesContext(connection) as demo:
        assert client.get("/").status_code == 200
    multiply(10)
    with CaptureQueriesContext(connection) as ten_times:
        assert client.get("/").status_code == 200
    assert len(demo) == len(ten_times)


def _plan_without_sorting(queryset) -> str:
    from django.db import transaction

    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Whatever the planner picks for a handful of test rows, the index must give the order by
        # itself: with sorting and full scans priced out, a plan that still sorts could not.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN is read on PostgreSQL")
def test_its_latest_updates_come_from_the_index_without_sorting_every_report(published_project):
    from renovation.projects.selectors import confirmed_reports_latest_first

    published_project(items=2, reports_per_item=2, plan_year=2026)

    plan = _plan_without_sorting(confirmed_reports_latest_first(plan_year=2026)[:8])

    assert "progress_confirmed_latest" in plan
    assert "Sort" not in plan
