from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from renovation.notifications.models import Notification
from renovation.supervision.models import IssueStatus, SiteIssue, SiteIssuePhoto
from renovation.supervision.services import site_issue_report
from tests.supervision.fixtures import jpeg, not_an_image


def test_it_records_the_issue_with_its_photos_and_first_step(cast, reported_issue):
    issue = reported_issue(photos=[jpeg("a.jpg"), jpeg("b.jpg", size=(480, 640))])
    assert issue.status == IssueStatus.SUBMITTED
    photos = list(issue.photos.order_by("sort_order"))
    assert [p.kind for p in photos] == ["before", "before"]
    assert (photos[1].width, photos[1].height) == (480, 640)
    with Image.open(photos[0].image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
    step = issue.transitions.get()
    assert (step.from_status, step.to_status, step.actor) == ("", "submitted", cast.supervisor)
    assert issue.history.get().history_user == cast.supervisor


def test_it_tells_the_street_office(personas, cast, reported_issue):
    personas.street_a.email = "anyang@example.org"
    personas.street_a.save()
    issue = reported_issue()
    assert Notification.objects.filter(recipient=personas.street_a, url=f"/supervise/issues/{issue.pk}/").exists()
    assert not Notification.objects.filter(recipient=personas.street_b).exists()
    assert [message.to for message in mail.outbox] == [["anyang@example.org"]]


def test_it_refuses_a_project_the_supervisor_is_not_assigned_to(cast):
    with pytest.raises(PermissionDenied, match="您只能反映分配给您监督的项目的问题"):
        site_issue_report(
            actor=cast.supervisor,
            project=cast.other_project,
            category="safety",
            severity="urgent",
            description="x",
            location="y",
            photos=[jpeg()],
        )
    assert not SiteIssue.objects.exists()


def test_it_refuses_a_supervisor_out_of_term(cast):
    supervisor = cast.supervisor.supervisor
    supervisor.term_end = timezone.localdate() - timedelta(days=1)
    supervisor.term_start = supervisor.term_end - timedelta(days=30)
    supervisor.save()
    with pytest.raises(PermissionDenied, match="您只能反映分配给您监督的项目的问题"):
        site_issue_report(
            actor=cast.supervisor,
            project=cast.project,
            category="quality",
            severity="general",
            description="x",
            location="y",
            photos=[jpeg()],
        )


def test_it_refuses_the_whole_report_when_one_photo_is_bad(cast, reported_issue):
    with pytest.raises(ValidationError) as error:
        reported_issue(photos=[jpeg("good.jpg"), not_an_image("shopping-list.jpg")])
    assert "shopping-list.jpg" in str(error.value.message_dict["photos"])
    assert not SiteIssue.objects.exists()
    assert not SiteIssuePhoto.objects.exists()


def test_it_asks_for_at_least_one_photo_and_a_description(cast, reported_issue):
    with pytest.raises(ValidationError) as error:
        reported_issue(photos=[], description="  ")
    assert set(error.value.message_dict) >= {"photos", "description"}
    assert not SiteIssue.objects.exists()


def test_it_refuses_more_than_nine_photos(cast, reported_issue):
    with pytest.raises(ValidationError) as error:
        reported_issue(photos=[jpeg(f"{n}.jpg") for n in range(10)])
    assert "photos" in error.value.message_dict


def test_it_opens_the_issue_discussion_with_the_issue(reported_issue):
    from renovation.discussion.models import Thread

    issue = reported_issue()
    assert Thread.objects.filter(site_issue=issue).count() == 1


def test_it_shows_the_issue_page_without_writing(client, cast, reported_issue):
    from django.db import connection

    from tests.public.test_reads_never_write import WriteRecorder

    issue = reported_issue()
    client.force_login(cast.supervisor)
    recorder = WriteRecorder()
    with connection.execute_wrapper(recorder):
        response = client.get(f"/supervise/issues/{issue.pk}/")
    assert response.status_code == 200
    thread = issue.thread
    assert f'data-thread="{thread.pk}"' in response.content.decode()
    assert [sql for sql in recorder.writes if "django_session" not in sql] == []
