"""Notifications that matter on a phone go by SMS too, to those who opted in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from renovation import sms
from renovation.consultation import services as consultation_services
from renovation.notifications.services import notify
from renovation.projects.models import ProjectStatus
from renovation.sms.services import user_phone_opt_in_set, user_phone_set
from tests.factories import ProjectFactory, UserFactory
from tests.residents.conftest import NUMBER

pytestmark = pytest.mark.django_db


def test_it_sends_an_sms_copy_only_to_those_who_opted_in(django_capture_on_commit_callbacks):
    keen, quiet = UserFactory(), UserFactory()
    user_phone_set(user=keen, number=NUMBER)
    user_phone_set(user=quiet, number="13900000001")
    user_phone_opt_in_set(user=keen, opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[keen, quiet], title="整改期限将至", url="/supervise/issues/1/", sms=True)
    (message,) = sms.outbox
    assert message.number == NUMBER and message.template == "notice" and message.params == {"title": "整改期限将至"}
    assert "/supervise/issues/1/" in message.text


def test_it_sends_no_sms_for_ordinary_notifications(django_capture_on_commit_callbacks):
    keen = UserFactory()
    user_phone_set(user=keen, number=NUMBER)
    user_phone_opt_in_set(user=keen, opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[keen], title="评论有新回复", url="/")
    assert sms.outbox == []


def test_it_asks_joined_residents_to_vote_by_sms(personas, households, codes, join, django_capture_on_commit_callbacks):
    join(codes[households[0].pk])
    from renovation.sms.models import UserPhone

    user_phone_opt_in_set(user=UserPhone.objects.get(number=NUMBER).user, opt_in=True)
    sms.outbox.clear()
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        consultation_services.decision_item_create(
            actor=personas.street_a,
            project=project,
            question="是否加装电梯",
            options=["加装", "不加装"],
            opens_on=today,
            closes_on=today + timedelta(days=7),
        )
    (message,) = sms.outbox
    assert message.number == NUMBER and "是否加装电梯" in message.text
