from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.notifications.models import Notification
from renovation.supervision.models import IssueStatus
from renovation.supervision.services import (
    default_deadline,
    site_issue_accept,
    site_issue_confirm,
    site_issue_rectify,
    site_issue_reject,
    site_issue_reopen,
    site_issue_start_rectifying,
)
from tests.supervision.fixtures import jpeg, not_an_image


def _steps(issue) -> list[tuple[str, str]]:
    return list(issue.transitions.order_by("created_at", "pk").values_list("from_status", "to_status"))


def test_it_runs_from_report_to_confirmed_fix(personas, cast, reported_issue):
    issue = reported_issue()
    site_issue_accept(actor=personas.street_a, issue=issue, note="请三天内整改")
    site_issue_start_rectifying(actor=cast.builder, issue=issue, note="已安排班组")
    site_issue_rectify(actor=cast.builder, issue=issue, response="已铲除空鼓重新抹灰", photos=[jpeg("after.jpg")])
    site_issue_confirm(actor=cast.supervisor, issue=issue, note="修好了")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CONFIRMED
    assert issue.photos.filter(kind="after").count() == 1
    assert issue.accepted_at and issue.rectified_at and issue.confirmed_at
    assert _steps(issue) == [
        ("", "submitted"),
        ("submitted", "accepted"),
        ("accepted", "rectifying"),
        ("rectifying", "rectified"),
        ("rectified", "confirmed"),
    ]
    actors = list(issue.transitions.order_by("created_at", "pk").values_list("actor__username", flat=True))
    assert actors == ["supervisor", "staff_a", "builder", "builder", "supervisor"]


def test_it_reopens_a_fix_that_is_not_good_and_resets_the_deadline(personas, cast, reported_issue):
    issue = reported_issue()
    site_issue_accept(actor=personas.bureau, issue=issue)
    site_issue_rectify(actor=cast.builder, issue=issue, response="已处理", photos=[jpeg()])
    before = timezone.now()
    site_issue_reopen(actor=cast.supervisor, issue=issue, reason="裂缝仍在")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.REOPENED
    assert issue.deadline >= before + timedelta(hours=72) - timedelta(minutes=1)
    site_issue_rectify(actor=cast.builder, issue=issue, response="重新处理", photos=[jpeg()])
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RECTIFIED
    assert issue.photos.filter(kind="after").count() == 2


def test_it_needs_a_reason_to_reject_or_reopen(personas, cast, reported_issue):
    issue = reported_issue()
    with pytest.raises(ValidationError, match="请说明不予受理的理由"):
        site_issue_reject(actor=personas.street_a, issue=issue, reason=" ")
    site_issue_reject(actor=personas.street_a, issue=issue, reason="不属于本项目施工范围")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.REJECTED
    assert issue.rejection_reason == "不属于本项目施工范围"


def test_it_refuses_steps_out_of_order_and_changes_nothing(personas, cast, reported_issue):
    issue = reported_issue()
    with pytest.raises(ValidationError, match="不能改为“已确认整改”"):
        site_issue_confirm(actor=cast.supervisor, issue=issue)
    with pytest.raises(ValidationError, match="不能改为“已整改待确认”"):
        site_issue_rectify(actor=cast.builder, issue=issue, response="x", photos=[jpeg()])
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SUBMITTED
    assert issue.transitions.count() == 1
    assert not issue.photos.filter(kind="after").exists()


@pytest.mark.parametrize(
    "who, action",
    [
        ("supervisor", "accept"),
        ("builder", "accept"),
        ("street_b", "accept"),
        ("other_builder", "rectify"),
        ("street_a", "rectify"),
        ("other_supervisor", "confirm"),
        ("builder", "confirm"),
    ],
)
def test_it_refuses_the_wrong_person(personas, cast, reported_issue, who, action):
    issue = reported_issue()
    if action in ("rectify", "confirm"):
        site_issue_accept(actor=personas.street_a, issue=issue)
    if action == "confirm":
        site_issue_rectify(actor=cast.builder, issue=issue, response="ok", photos=[jpeg()])
    actor = getattr(personas, who, None) or getattr(cast, who)
    status = type(issue).objects.get(pk=issue.pk).status
    refusals = {
        "accept": "只有负责本项目的工作人员可以受理问题",
        "rectify": "只有本项目的施工单位可以答复问题",
        "confirm": "只有反映该问题的群众监督员可以确认整改",
    }
    with pytest.raises(PermissionDenied, match=refusals[action]):
        if action == "accept":
            site_issue_accept(actor=actor, issue=issue)
        elif action == "rectify":
            site_issue_rectify(actor=actor, issue=issue, response="x", photos=[jpeg()])
        else:
            site_issue_confirm(actor=actor, issue=issue)
    assert type(issue).objects.get(pk=issue.pk).status == status


def test_it_refuses_a_rectification_without_after_photos(personas, cast, reported_issue):
    issue = reported_issue()
    site_issue_accept(actor=personas.street_a, issue=issue)
    with pytest.raises(ValidationError) as error:
        site_issue_rectify(actor=cast.builder, issue=issue, response="done", photos=[not_an_image("after.jpg")])
    assert "after.jpg" in str(error.value)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ACCEPTED


@pytest.mark.parametrize(
    "category, severity, hours",
    [("safety", "general", 24), ("quality", "general", 72), ("progress", "general", 168), ("other", "urgent", 24)],
)
def test_it_sets_the_default_deadline_by_category_and_urgency(category, severity, hours):
    start = timezone.now()
    assert default_deadline(category=category, severity=severity, start=start) == start + timedelta(hours=hours)


def test_its_deadlines_are_configurable(settings):
    settings.SITE_ISSUE_DEADLINE_HOURS = {"safety": 12, "quality": 48}
    start = timezone.now()
    assert default_deadline(category="safety", severity="general", start=start) == start + timedelta(hours=12)


def test_it_accepts_with_a_chosen_deadline_but_not_one_in_the_past(personas, cast, reported_issue):
    issue = reported_issue()
    with pytest.raises(ValidationError, match="整改期限必须晚于现在"):
        site_issue_accept(actor=personas.street_a, issue=issue, deadline=timezone.now() - timedelta(hours=1))
    chosen = timezone.now() + timedelta(days=2)
    site_issue_accept(actor=personas.street_a, issue=issue, deadline=chosen)
    issue.refresh_from_db()
    assert issue.deadline == chosen


def test_it_notifies_the_people_concerned_at_each_step(
    personas, cast, reported_issue, django_capture_on_commit_callbacks
):
    issue = reported_issue()
    with django_capture_on_commit_callbacks(execute=True):
        site_issue_accept(actor=personas.street_a, issue=issue)
    assert set(
        Notification.objects.filter(title__contains=f"#{issue.pk}").values_list("recipient__username", flat=True)
    ) == {
        "supervisor",
        "builder",
    }
    Notification.objects.all().delete()
    site_issue_rectify(actor=cast.builder, issue=issue, response="ok", photos=[jpeg()])
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"supervisor", "staff_a"}
    Notification.objects.all().delete()
    site_issue_reopen(actor=cast.supervisor, issue=issue, reason="没修好")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"builder", "staff_a"}
