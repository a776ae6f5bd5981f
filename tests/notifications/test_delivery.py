"""Notification copies (e-mail, SMS) are background jobs: they commit with the change, carry no
address or number, send each copy once, and fail visibly (and retryably) when the server or the
provider is down."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from renovation import sms
from renovation.notifications.models import Notification
from renovation.notifications.services import DeliveryIncomplete, notification_emails_send, notify
from renovation.sms.message import SmsSendError
from renovation.sms.notify import notification_texts_send
from renovation.sms.services import user_phone_opt_in_set, user_phone_set
from tests.factories import UserFactory
from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db
NUMBER = "13812345678"


@pytest.fixture
def keen():
    user = UserFactory(email="keen@example.com")
    user_phone_set(user=user, number=NUMBER)
    user_phone_opt_in_set(user=user, opt_in=True)
    return user


def test_the_request_only_queues_the_copies_and_the_jobs_hold_no_address_or_number(settings, keen):
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        notify(recipients=[keen], title="整改期限将至", url="/supervise/issues/1/", sms=True)
    assert mail.outbox == [] and sms.outbox == []  # nothing sent in the web process
    jobs = {job.task_path: job.args_kwargs for job in DBTaskResult.objects.all()}
    notification = Notification.objects.get()
    assert jobs == {
        "renovation.notifications.tasks.notification_emails_send": {
            "args": [],
            "kwargs": {"notification_ids": [notification.pk]},
        },
        "renovation.sms.tasks.notification_texts_send": {"args": [], "kwargs": {"notification_ids": [notification.pk]}},
    }


def test_a_change_that_rolls_back_queues_nothing(settings, keen):
    settings.TASKS = DATABASE_BACKEND
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[keen], title="整改期限将至", url="/", sms=True)
        raise RuntimeError("the change fails")
    assert not DBTaskResult.objects.exists() and not Notification.objects.exists()


def test_the_email_job_sends_each_copy_once(keen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[keen], title="整改期限将至", body="请按时整改", url="/supervise/issues/1/")
    (message,) = mail.outbox
    assert message.to == ["keen@example.com"] and "/supervise/issues/1/" in message.body
    notification = Notification.objects.get()
    assert notification.emailed_at is not None
    assert notification_emails_send(notification_ids=[notification.pk]) == 0  # a second run sends nothing
    assert len(mail.outbox) == 1


def test_a_mail_outage_fails_the_job_and_a_retry_sends_only_what_is_missing(keen, monkeypatch):
    other = UserFactory(email="other@example.com")
    notify(recipients=[keen, other], title="新的表决", url="/")
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    real_send = mail.send_mail

    def flaky(subject, text, sender, recipients, **kwargs):
        if recipients == ["other@example.com"]:
            raise ConnectionRefusedError("smtp down for other@example.com")
        return real_send(subject, text, sender, recipients, **kwargs)

    monkeypatch.setattr("renovation.notifications.services.send_mail", flaky)
    with pytest.raises(DeliveryIncomplete) as error:
        notification_emails_send(notification_ids=ids)
    assert str(error.value) == "1 of 2 notification e-mails could not be sent"  # names nobody
    assert [m.to for m in mail.outbox] == [["keen@example.com"]]

    monkeypatch.setattr("renovation.notifications.services.send_mail", real_send)
    assert notification_emails_send(notification_ids=ids) == 1  # the retry
    assert [m.to for m in mail.outbox] == [["keen@example.com"], ["other@example.com"]]


def test_an_sms_outage_fails_the_job_and_a_retry_sends_it(keen, monkeypatch):
    notify(recipients=[keen], title="整改期限将至", url="/")
    ids = [Notification.objects.get().pk]

    def down(**kwargs):
        raise SmsSendError("provider unreachable")

    monkeypatch.setattr("renovation.sms.notify.send_sms", down)
    with pytest.raises(DeliveryIncomplete) as error:
        notification_texts_send(notification_ids=ids)
    assert str(error.value) == "1 of 1 notification texts could not be sent"
    monkeypatch.undo()
    assert notification_texts_send(notification_ids=ids) == 1
    assert [m.number for m in sms.outbox] == [NUMBER]
    assert notification_texts_send(notification_ids=ids) == 0  # sent once


def test_a_user_who_opted_out_meanwhile_gets_no_text(keen):
    notify(recipients=[keen], title="整改期限将至", url="/")
    user_phone_opt_in_set(user=keen, opt_in=False)
    assert notification_texts_send(notification_ids=[Notification.objects.get().pk]) == 0
    assert sms.outbox == []
