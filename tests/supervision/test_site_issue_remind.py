"""A near deadline reminds the construction unit once, in the app and by SMS if it opted in."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from renovation import sms
from renovation.notifications.models import Notification
from renovation.sms.services import user_phone_opt_in_set, user_phone_set
from renovation.supervision.models import IssueStatus, SiteIssue
from renovation.supervision.services import (
    site_issue_accept,
    site_issue_start_rectifying,
    site_issues_remind_deadlines,
)

BUILDER_NUMBER = "13700001234"


def _accepted(personas, reported_issue, hours: float):
    issue = reported_issue()
    return site_issue_accept(actor=personas.bureau, issue=issue, deadline=timezone.now() + timedelta(hours=hours))


def _reminders(user) -> list[str]:
    reminders = Notification.objects.filter(recipient=user, title__contains="整改期限将至")
    return list(reminders.values_list("title", flat=True))


def test_it_reminds_the_construction_unit_once_when_the_deadline_is_near(personas, cast, reported_issue, settings):
    settings.SITE_ISSUE_REMIND_HOURS = 12
    issue = _accepted(personas, reported_issue, hours=11)

    assert site_issues_remind_deadlines() == 1
    assert site_issues_remind_deadlines() == 0

    deadline = timezone.localtime(issue.deadline).strftime("%Y-%m-%d %H:%M")
    assert _reminders(cast.builder) == [
        f"监督问题 #{issue.pk}（{cast.project.name}）整改期限将至：请于 {deadline} 前完成整改"
    ]
    assert _reminders(cast.other_builder) == [] and _reminders(cast.supervisor) == []
    assert SiteIssue.objects.get(pk=issue.pk).deadline_reminded_for == issue.deadline
    assert SiteIssue.history.filter(id=issue.pk, history_change_reason="site_issue_deadline_remind").count() == 1


def test_it_waits_until_the_deadline_is_within_the_window(personas, cast, reported_issue, settings):
    settings.SITE_ISSUE_REMIND_HOURS = 12
    issue = _accepted(personas, reported_issue, hours=13)

    assert site_issues_remind_deadlines() == 0
    assert site_issues_remind_deadlines(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1
    assert SiteIssue.objects.get(pk=issue.pk).deadline_reminded_for == issue.deadline


def test_it_does_not_remind_past_deadlines_or_fixed_issues(personas, cast, reported_issue, settings):
    settings.SITE_ISSUE_REMIND_HOURS = 12
    issue = _accepted(personas, reported_issue, hours=2)
    SiteIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.RECTIFIED)
    assert site_issues_remind_deadlines() == 0

    SiteIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.ACCEPTED)
    assert site_issues_remind_deadlines(now=issue.deadline) == 0  # the deadline itself has passed
    assert site_issues_remind_deadlines(now=issue.deadline - timedelta(seconds=1)) == 1


def test_it_reminds_again_for_a_new_deadline(personas, cast, reported_issue, settings):
    settings.SITE_ISSUE_REMIND_HOURS = 12
    issue = _accepted(personas, reported_issue, hours=3)
    site_issue_start_rectifying(actor=cast.builder, issue=issue)
    assert site_issues_remind_deadlines() == 1

    SiteIssue.objects.filter(pk=issue.pk).update(deadline=issue.deadline + timedelta(hours=4))

    assert site_issues_remind_deadlines() == 1
    assert len(_reminders(cast.builder)) == 2


def test_it_sends_the_reminder_by_sms_to_a_unit_that_opted_in(
    personas, cast, reported_issue, settings, django_capture_on_commit_callbacks
):
    settings.SITE_ISSUE_REMIND_HOURS = 12
    user_phone_set(user=cast.builder, number=BUILDER_NUMBER)
    user_phone_opt_in_set(user=cast.builder, opt_in=True)
    _accepted(personas, reported_issue, hours=6)
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        site_issues_remind_deadlines()

    (message,) = sms.outbox
    assert message.number == BUILDER_NUMBER and "整改期限" in message.params["title"]


def test_the_command_reminds_and_says_how_many(personas, cast, reported_issue, settings, capsys):
    settings.SITE_ISSUE_REMIND_HOURS = 12
    _accepted(personas, reported_issue, hours=1)

    call_command("site_issues_remind")

    assert capsys.readouterr().out == "1 site issue(s) reminded.\n"
