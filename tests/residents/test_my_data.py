"""/accounts/me/data/: what the site holds about me; /accounts/me/close/: close my account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.consultation import services as consultation_services
from renovation.consultation.models import Household, HouseholdMember, Intent
from renovation.projects.models import ProjectStatus
from renovation.sms.models import UserPhone
from tests.factories import ProjectFactory
from tests.residents.conftest import NUMBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def joined(client, households, codes, join):
    join(codes[households[0].pk])
    return UserPhone.objects.get(number=NUMBER).user


def test_it_shows_everything_held_about_me(client, personas, households, joined):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    consultation_services.intent_record(actor=joined, project=project, household=households[0], choice="agree")
    text = client.get("/accounts/me/data/").content.decode()
    assert NUMBER in text  # the owner sees their own number
    assert households[0].address in text and "2026-11" in text and project.name in text


def test_it_needs_a_signed_in_user(client):
    assert client.get("/accounts/me/data/").status_code == 302


def test_it_turns_sms_notifications_on_and_off(client, joined):
    client.post("/accounts/me/data/", {"sms_opt_in": "on"})
    assert UserPhone.objects.get(user=joined).sms_opt_in
    client.post("/accounts/me/data/", {})
    assert not UserPhone.objects.get(user=joined).sms_opt_in


def test_it_reads_my_data_in_a_fixed_number_of_queries(client, personas, households, joined):
    from renovation.discussion.models import Comment, Thread

    project = ProjectFactory(neighbourhood=personas.street_a_place)
    thread = Thread.objects.create(project=project)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/accounts/me/data/").status_code == 200
        return len(queries)

    Comment.objects.create(thread=thread, author=joined, text="一")
    one = count()
    for index in range(5):
        Comment.objects.create(thread=thread, author=joined, text=f"评论{index}")
    assert count() == one


def test_it_closes_only_after_confirmation(client, joined):
    response = client.post("/accounts/me/close/", {})
    assert response.status_code == 400
    joined.refresh_from_db()
    assert joined.is_active


def test_it_closes_the_account_and_keeps_the_households_answers(client, personas, households, joined):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    consultation_services.intent_record(actor=joined, project=project, household=households[0], choice="agree")
    response = client.post("/accounts/me/close/", {"confirm": "on"})
    assert response.status_code == 302
    joined.refresh_from_db()
    assert not joined.is_active and not joined.has_usable_password()
    assert joined.username == f"closed-{joined.pk}" and joined.email == ""
    assert not UserPhone.objects.exists() and not UserPhone.history.exists()
    assert not HouseholdMember.objects.exists() and not HouseholdMember.history.exists()
    assert Household.objects.get(pk=households[0].pk).resident is None
    intent = Intent.objects.get()
    assert intent.household == households[0] and intent.choice == "agree"
    assert "_auth_user_id" not in client.session


def test_it_does_not_close_a_staff_account(client, personas):
    client.force_login(personas.street_a)
    response = client.post("/accounts/me/close/", {"confirm": "on"})
    assert response.status_code == 400
    personas.street_a.refresh_from_db()
    assert personas.street_a.is_active
