from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.projects.models import ProgressReportStatus, WorkItemStatus
from renovation.projects.services import (
    progress_report_confirm,
    progress_report_reject,
    progress_report_submit,
)
from tests.factories import ProjectFactory, WorkItemFactory


@pytest.fixture
def project(personas):
    return ProjectFactory(neighbourhood=personas.street_a_place)


def test_it_moves_the_work_item_and_the_budget_weighted_project_progress(personas, project):
    big = WorkItemFactory(project=project, budget=Decimal("300000"))
    small = WorkItemFactory(project=project, budget=Decimal("100000"))

    report = progress_report_submit(actor=personas.street_a, work_item=big, percent=Decimal("50"))
    progress_report_confirm(actor=personas.bureau, report=report)

    big.refresh_from_db()
    project.refresh_from_db()
    assert big.progress == Decimal("50")
    assert big.status == WorkItemStatus.IN_PROGRESS
    assert project.progress == Decimal("37.50")  # (300k × 50 + 100k × 0) / 400k

    report = progress_report_submit(actor=personas.street_a, work_item=small, percent=Decimal("100"))
    progress_report_confirm(actor=personas.bureau, report=report)
    project.refresh_from_db()
    small.refresh_from_db()
    assert project.progress == Decimal("62.50")
    assert small.status == WorkItemStatus.COMPLETED
    assert small.actual_end == report.reported_on


def test_it_leaves_progress_alone_until_the_bureau_confirms(personas, project):
    item = WorkItemFactory(project=project)
    progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("80"))
    item.refresh_from_db()
    project.refresh_from_db()
    assert item.progress == 0
    assert project.progress == 0


def test_it_refuses_street_staff_confirming(personas, project):
    item = WorkItemFactory(project=project)
    report = progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("80"))
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以确认进度填报"):
        progress_report_confirm(actor=personas.street_a, report=report)
    report.refresh_from_db()
    assert report.status == ProgressReportStatus.PENDING


def test_it_refuses_confirming_twice(personas, project):
    item = WorkItemFactory(project=project)
    report = progress_report_submit(actor=personas.bureau, work_item=item, percent=Decimal("40"))
    progress_report_confirm(actor=personas.bureau, report=report)
    with pytest.raises(ValidationError, match="该填报已审核"):
        progress_report_confirm(actor=personas.bureau, report=report)


def test_it_keeps_a_rejected_report_out_of_the_figures(personas, project):
    item = WorkItemFactory(project=project)
    report = progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("90"))
    progress_report_reject(actor=personas.bureau, report=report, reason="现场未完成")
    report.refresh_from_db()
    item.refresh_from_db()
    assert report.status == ProgressReportStatus.REJECTED
    assert report.review_note == "现场未完成"
    assert item.progress == 0


def test_it_asks_for_a_reason_to_reject(personas, project):
    item = WorkItemFactory(project=project)
    report = progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("90"))
    with pytest.raises(ValidationError) as error:
        progress_report_reject(actor=personas.bureau, report=report, reason="  ")
    assert "review_note" in error.value.message_dict


@pytest.mark.parametrize("percent", [Decimal("-1"), Decimal("100.01"), Decimal("150")])
def test_it_refuses_a_percent_outside_0_to_100_and_saves_nothing(personas, project, percent):
    item = WorkItemFactory(project=project)
    with pytest.raises(ValidationError) as error:
        progress_report_submit(actor=personas.street_a, work_item=item, percent=percent)
    assert "percent" in error.value.message_dict
    assert item.progress_reports.count() == 0


def test_it_refuses_street_staff_reporting_on_another_street(personas, project):
    item = WorkItemFactory(project=project)
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        progress_report_submit(actor=personas.street_b, work_item=item, percent=Decimal("10"))
    assert item.progress_reports.count() == 0


def test_it_records_who_confirmed_in_history(personas, project):
    item = WorkItemFactory(project=project)
    report = progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("30"))
    progress_report_confirm(actor=personas.bureau, report=report)
    latest = item.history.order_by("-history_date").first()
    assert latest.history_user == personas.bureau
    assert latest.history_change_reason == "progress_report_confirm"
    assert latest.progress == Decimal("30")
    first = report.history.order_by("history_date").first()
    assert first.history_user == personas.street_a
