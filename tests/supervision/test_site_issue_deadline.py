from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from renovation.supervision.models import IssueStatus, SiteIssue
from renovation.supervision.services import site_issue_accept


def test_it_refuses_a_deadline_before_the_issue_was_reported(personas, cast, reported_issue):
    issue = reported_issue()
    reported = timezone.now() + timedelta(hours=12)  # as a wrong clock on the reporting phone left it
    SiteIssue.objects.filter(pk=issue.pk).update(created_at=reported)
    issue.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        site_issue_accept(actor=personas.bureau, issue=issue, deadline=timezone.now() + timedelta(hours=6))

    assert refused.value.message_dict == {
        "deadline": [f"整改期限必须晚于问题上报时间（{timezone.localtime(reported):%Y-%m-%d %H:%M}）。"]
    }
    assert SiteIssue.objects.get(pk=issue.pk).status == IssueStatus.SUBMITTED


def test_it_accepts_a_deadline_after_the_report(personas, cast, reported_issue):
    issue = reported_issue()

    site_issue_accept(actor=personas.bureau, issue=issue, deadline=timezone.now() + timedelta(hours=6))

    issue.refresh_from_db()
    assert issue.status == IssueStatus.ACCEPTED and issue.deadline > issue.created_at
