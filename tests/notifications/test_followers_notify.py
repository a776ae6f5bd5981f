"""Followers of a project, or of its street, hear of its confirmed progress, tender results and
notices: one sentence each, from a background job that commits with the change."""

from decimal import Decimal

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from renovation.notifications.models import FollowKind, Notification
from renovation.notifications.services import follow_start, followers_notify, followers_notify_notice
from renovation.projects.services import progress_report_confirm, progress_report_submit
from renovation.tendering import services as tendering
from renovation.tendering.models import Tender
from tests.factories import UserFactory
from tests.jobs.conftest import DATABASE_BACKEND
from tests.tendering.fixtures import end_publicity, open_now

pytestmark = pytest.mark.django_db


def _confirm_progress(personas, project, percent="40"):
    report = progress_report_submit(actor=personas.bureau, work_item=project.work_items.get(), percent=Decimal(percent))
    return progress_report_confirm(actor=personas.bureau, report=report)


def test_it_tells_project_and_street_followers_of_confirmed_progress_once_each(
    personas, followed_project, django_capture_on_commit_callbacks
):
    project, url = followed_project
    both = UserFactory(username="both")
    follow_start(actor=personas.resident, project=project)
    follow_start(actor=both, project=project)
    follow_start(actor=both, street=project.neighbourhood.community.street)
    follow_start(actor=personas.street_b, street=personas.street_b_place.community.street)  # another street
    with django_capture_on_commit_callbacks(execute=True):
        _confirm_progress(personas, project)
    notes = Notification.objects.order_by("recipient__username")
    assert [note.recipient.username for note in notes] == ["both", "resident"]
    assert notes[0].title == "飞云花园改造：“外立面整治”的进度已确认为 40%"
    assert notes[0].url == url and "40%" in notes[0].body


def test_it_does_not_tell_the_actor_of_their_own_change(personas, followed_project, django_capture_on_commit_callbacks):
    project, _url = followed_project
    follow_start(actor=personas.bureau, project=project)
    with django_capture_on_commit_callbacks(execute=True):
        _confirm_progress(personas, project)
    assert not Notification.objects.exists()


def test_the_fan_out_is_a_job_that_commits_with_the_change(settings, personas, followed_project):
    project, _url = followed_project
    follow_start(actor=personas.resident, project=project)
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        _confirm_progress(personas, project)
    assert not Notification.objects.exists()  # nothing fanned out in the request
    fan_outs = DBTaskResult.objects.filter(task_path="renovation.notifications.tasks.followers_notify_send")
    assert fan_outs.get().args_kwargs["kwargs"]["project_id"] == project.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        followers_notify(kind=FollowKind.NOTICE, project=project, title="停水通知")
        raise RuntimeError
    assert fan_outs.count() == 1  # the rolled-back notice queued nothing


def test_it_tells_followers_who_won_a_tender(tender_cast, personas, django_capture_on_commit_callbacks):
    follow_start(actor=personas.resident, project=tender_cast.project)
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    tendering.tender_evaluate(
        actor=personas.street_a,
        tender=tender,
        scores={bid.pk: {"compliant": True, "technical_score": None} for bid in tender.bids.all()},
    )
    tender = tendering.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    tender = end_publicity(tender)
    with django_capture_on_commit_callbacks(execute=True):
        award = tendering.tender_award(actor=personas.street_a, tender=tender)
    note = Notification.objects.get(recipient=personas.resident)
    assert note.title == f"飞云花园改造：招标“{tender.title}”已定标，中标单位{award.bidder.name}"
    assert tender.code not in note.title + note.body
    assert note.url == f"/tenders/{tender.pk}/"


def test_a_notice_reaches_the_followers_of_its_street(personas, followed_project, django_capture_on_commit_callbacks):
    project, _url = followed_project
    street = project.neighbourhood.community.street
    follow_start(actor=personas.resident, street=street)
    follow_start(actor=personas.street_b, project=project)  # a project follower hears only of its project
    with django_capture_on_commit_callbacks(execute=True):
        followers_notify(kind=FollowKind.NOTICE, street=street, title="安阳街道：关于停水的通知", url="/notices/1/")
    assert list(Notification.objects.values_list("recipient__username", "title")) == [
        ("resident", "安阳街道：关于停水的通知")
    ]


def test_a_notice_on_a_project_reads_as_a_sentence(personas, followed_project, django_capture_on_commit_callbacks):
    project, _url = followed_project
    follow_start(actor=personas.resident, street=project.neighbourhood.community.street)
    with django_capture_on_commit_callbacks(execute=True):
        followers_notify_notice(title="关于外立面施工期间停水的通知", url="/notices/2/", project=project)
    note = Notification.objects.get(recipient=personas.resident)
    assert note.title == "飞云花园改造：发布通知公告“关于外立面施工期间停水的通知”" and note.url == "/notices/2/"
