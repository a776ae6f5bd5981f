"""Lateness where the public sees it: the project page (project and work items) and the index cards."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from renovation.projects.models import ProgressReportStatus, ProjectStatus
from tests.factories import ProgressReportFactory


def _confirm(item, *, days_ago: int, percent: str):
    today = timezone.localdate()
    return ProgressReportFactory(
        work_item=item,
        reported_on=today - timedelta(days=days_ago),
        percent=Decimal(percent),
        status=ProgressReportStatus.CONFIRMED,
        reviewed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_project_page_says_overdue_by_n_days_and_stalled(client, published_project):
    today = timezone.localdate()
    _project, page = published_project(
        items=1,
        reports_per_item=0,
        status=ProjectStatus.UNDER_CONSTRUCTION,
        planned_start=today - timedelta(days=200),
        planned_end=today - timedelta(days=57),
        actual_start=today - timedelta(days=190),
    )
    html = client.get(page.url).content.decode()
    header = html.split('class="project-header"', 1)[1].split("</header>", 1)[0]
    assert "逾期 57 天" in header
    assert "进度停滞：已 190 天无确认进度" in header
    assert "已确认的进度记录不足，暂无法预计完工日期。" in header


def test_the_project_page_forecasts_from_confirmed_progress(client, published_project):
    today = timezone.localdate()
    project, page = published_project(
        items=1,
        reports_per_item=0,
        status=ProjectStatus.UNDER_CONSTRUCTION,
        planned_start=today - timedelta(days=20),
        planned_end=today + timedelta(days=5),
        actual_start=today - timedelta(days=20),
    )
    item = project.work_items.get()
    item.planned_start, item.planned_end = today - timedelta(days=20), today + timedelta(days=5)
    item.save()
    _confirm(item, days_ago=20, percent="0")
    _confirm(item, days_ago=10, percent="40")  # 4% a day, 60% to go: 15 more days from 10 days ago
    html = client.get(page.url).content.decode()
    header = html.split('class="project-header"', 1)[1].split("</header>", 1)[0]
    finish = (today + timedelta(days=5)).isoformat()
    assert f"按已确认进度的速度，预计 {finish} 完工。" in header
    assert "逾期" not in header and "停滞" not in header


def test_a_flat_pace_says_no_forecast_and_a_work_item_shows_its_own_warning(client, published_project):
    today = timezone.localdate()
    project, page = published_project(
        items=1, reports_per_item=0, status=ProjectStatus.UNDER_CONSTRUCTION, planned_end=today + timedelta(days=90)
    )
    item = project.work_items.get()
    _confirm(item, days_ago=20, percent="30")
    _confirm(item, days_ago=10, percent="30")
    html = client.get(page.url).content.decode()
    assert (
        "已确认进度没有提高，无法预计完工日期。" in html.split('class="project-header"', 1)[1].split("</header>", 1)[0]
    )
    works = html.split("改造内容", 1)[1]
    overdue = (today - date(2023, 9, 30)).days  # the factory's work item was due 2023-09-30
    assert f"逾期 {overdue} 天" in works


def test_a_project_not_started_after_its_planned_start_says_so(client, published_project):
    today = timezone.localdate()
    _project, page = published_project(
        items=1,
        reports_per_item=0,
        status=ProjectStatus.APPROVED,
        planned_start=today - timedelta(days=12),
        planned_end=today + timedelta(days=200),
        actual_start=None,
    )
    html = client.get(page.url).content.decode()
    assert "计划开工已过 12 天，尚未开工" in html.split('class="project-header"', 1)[1].split("</header>", 1)[0]


def test_a_completed_project_shows_no_warning(client, published_project):
    _project, page = published_project(
        items=1,
        reports_per_item=0,
        status=ProjectStatus.ACCEPTED,
        actual_start=date(2023, 3, 1),
        actual_end=date(2024, 1, 1),
    )
    header = client.get(page.url).content.decode().split('class="project-header"', 1)[1].split("</header>", 1)[0]
    assert 'class="lateness"' not in header and "预计" not in header


def test_the_index_cards_show_the_warnings(client, published_project):
    today = timezone.localdate()
    _late, late_page = published_project(
        items=1, reports_per_item=0, planned_end=today - timedelta(days=3), code="LATE", slug="late"
    )
    _fine, _fine_page = published_project(
        items=1,
        reports_per_item=0,
        planned_end=today + timedelta(days=3),
        code="FINE",
        slug="fine",
        status=ProjectStatus.APPROVED,
        planned_start=today + timedelta(days=1),
    )
    html = client.get(late_page.get_parent().url).content.decode()
    cards = html.split('class="project-card"')[1:]
    late_card = next(card for card in cards if "/late/" in card)
    fine_card = next(card for card in cards if "/fine/" in card)
    assert "逾期 3 天" in late_card
    assert 'class="lateness"' not in fine_card


def test_the_index_costs_the_same_queries_for_more_projects(client, published_project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _first, page = published_project(items=2, reports_per_item=1, code="P0", slug="p0")
    index_url = page.get_parent().url
    client.get(index_url)
    with CaptureQueriesContext(connection) as one:
        client.get(index_url)
    for number in range(1, 5):
        published_project(items=3, reports_per_item=2, code=f"P{number}", slug=f"p{number}")
    with CaptureQueriesContext(connection) as five:
        client.get(index_url)
    assert len(one) == len(five)
