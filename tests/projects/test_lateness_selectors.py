"""Lateness fed from the database: confirmed reports only, Beijing calendar days, fixed queries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from renovation.accounts.permissions import staff_street_id
from renovation.projects.lateness import FORECAST_NO_DATA, WARNING_OVERDUE, WARNING_STALLED
from renovation.projects.models import ProgressReportStatus, ProjectStatus, WorkItemStatus
from renovation.projects.selectors import lateness_for_projects, lateness_warnings, project_lateness
from tests.factories import ProgressReportFactory, ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


def _confirmed(item, *, on: date, percent: str, reviewed: datetime, status=ProgressReportStatus.CONFIRMED):
    return ProgressReportFactory(
        work_item=item, reported_on=on, percent=Decimal(percent), status=status, reviewed_at=reviewed
    )


def _late_project(**fields):
    defaults = {
        "status": ProjectStatus.UNDER_CONSTRUCTION,
        "planned_start": date(2026, 3, 1),
        "planned_end": date(2026, 10, 3),
        "actual_start": date(2026, 3, 2),
        "progress": Decimal("56.5"),
    }
    project = ProjectFactory(**{**defaults, **fields})
    big = WorkItemFactory(
        project=project,
        budget=Decimal("300"),
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 9, 30),
        actual_start=date(2026, 3, 2),
        progress=Decimal("42"),
        status=WorkItemStatus.IN_PROGRESS,
    )
    small = WorkItemFactory(
        project=project,
        budget=Decimal("100"),
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 12, 31),
        progress=Decimal("100"),
        status=WorkItemStatus.COMPLETED,
        actual_start=date(2026, 3, 5),
        actual_end=date(2026, 6, 1),
    )
    return project, big, small


def test_it_replays_confirmed_reports_into_the_projects_lateness():
    project, big, small = _late_project()
    _confirmed(big, on=date(2026, 4, 1), percent="20", reviewed=datetime(2026, 4, 2, 2, tzinfo=UTC))
    _confirmed(small, on=date(2026, 6, 1), percent="100", reviewed=datetime(2026, 6, 2, 2, tzinfo=UTC))
    # Confirmed at 01:30 Beijing time on 6 June: that is the day the stall clock restarts.
    _confirmed(big, on=date(2026, 6, 5), percent="42", reviewed=datetime(2026, 6, 5, 17, 30, tzinfo=UTC))
    _confirmed(big, on=date(2026, 7, 1), percent="90", reviewed=None, status=ProgressReportStatus.PENDING)
    _confirmed(big, on=date(2026, 7, 2), percent="95", reviewed=datetime(2026, 7, 3, tzinfo=UTC), status="rejected")

    late = project_lateness(project, TODAY)

    assert late.project.overdue_days == 57  # due 2026-10-03
    assert late.project.stalled_days == (TODAY - date(2026, 6, 6)).days
    # 4-1: 300×20/400 = 15%; 6-5: (300×42 + 100×100)/400 = 56.5%: 41.5 points in 65 days, so the
    # remaining 43.5 take 43.5 × 65 / 41.5 = 68.1 → 69 days.
    assert late.project.forecast.finish == date(2026, 6, 5) + timedelta(days=69)
    assert late.project.forecast_late_days == 0  # 8-13, before the planned 10-03
    assert late.items[big.pk].overdue_days == (TODAY - date(2026, 9, 30)).days
    assert late.items[small.pk].warnings == []


def test_it_says_when_there_is_not_enough_data_to_forecast():
    project, big, _small = _late_project()
    _confirmed(big, on=date(2026, 6, 5), percent="42", reviewed=datetime(2026, 6, 5, 3, tzinfo=UTC))
    assert project_lateness(project, TODAY).project.forecast.reason == FORECAST_NO_DATA


def test_it_reads_every_projects_lateness_in_two_queries(django_assert_num_queries):
    projects = []
    for _index in range(4):
        project, big, _small = _late_project()
        _confirmed(big, on=date(2026, 6, 5), percent="42", reviewed=datetime(2026, 6, 5, 3, tzinfo=UTC))
        projects.append(project)
    with django_assert_num_queries(2):
        lateness = lateness_for_projects(projects, TODAY)
    assert all(lateness[project.pk].project.overdue_days == 57 for project in projects)


def test_it_reads_nothing_for_no_projects(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert lateness_for_projects([], TODAY) == {}


def test_it_lists_warnings_for_the_users_street_only(personas, django_assert_num_queries):
    mine, _big, _small = _late_project(neighbourhood=personas.street_a_place, code="MINE")
    other, _other_big, _other_small = _late_project(neighbourhood=personas.street_b_place, code="OTHER")
    ProjectFactory(
        neighbourhood=personas.street_a_place,
        status=ProjectStatus.ACCEPTED,
        planned_start=date(2020, 1, 1),
        planned_end=date(2020, 1, 1),
    )
    staff_street_id(personas.street_a)  # the staff profile, read once per request
    with django_assert_num_queries(3):
        warnings = lateness_warnings(personas.street_a, TODAY)
    assert {warning.project for warning in warnings} == {mine}
    assert (mine, "", WARNING_OVERDUE, 57) in [(w.project, w.work_item, w.kind, w.days) for w in warnings]
    stalled = [w for w in warnings if w.kind == WARNING_STALLED and not w.work_item]
    assert stalled and stalled[0].days == (TODAY - date(2026, 3, 2)).days
    assert warnings == sorted(warnings, key=lambda w: (-w.days, w.project.code, w.work_item))
    assert {warning.project for warning in lateness_warnings(personas.bureau, TODAY)} == {mine, other}
