"""Signing in: one form for everyone, each role on its own start page, a safe ``next`` wins."""

import pytest
from django.core import mail
from django.test import Client

from renovation.accounts.models import SessionRecord
from renovation.consultation.models import Household
from tests.factories import UserFactory


def _sign_in(client: Client, username: str, password: str = "pw", next_url: str = "") -> str:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_it_sends_staff_to_the_back_office(personas, client):
    assert _sign_in(client, "staff_a") == "/admin/"
    assert _sign_in(Client(), "bureau") == "/admin/"


def test_it_sends_supervisors_and_construction_units_to_their_work(cast):
    assert _sign_in(Client(), cast.supervisor.username) == "/supervise/"
    assert _sign_in(Client(), cast.builder.username) == "/supervise/"


def test_it_sends_a_bidder_to_its_bids(tender_cast):
    assert _sign_in(Client(), tender_cast.accounts[0].username) == "/tenders/bidders/mine/"


def test_it_sends_a_resident_to_their_households_consultation_page(personas, consulting_project):
    household = Household.objects.filter(neighbourhood=consulting_project.neighbourhood).first()
    resident = UserFactory(username="liu")
    household.resident = resident
    household.save()
    assert _sign_in(Client(), "liu") == f"/consultation/{consulting_project.pk}/"


def test_it_sends_an_account_without_a_role_home(db):
    UserFactory(username="nobody")
    assert _sign_in(Client(), "nobody") == "/"


def test_it_follows_a_safe_next_and_ignores_another_site(personas):
    assert _sign_in(Client(), "staff_a", next_url="/tenders/") == "/tenders/"
    assert _sign_in(Client(), "staff_a", next_url="https://evil.example/steal") == "/admin/"


def test_it_says_on_the_login_page_who_signs_in_where(db, client):
    page = client.get("/accounts/login/").content.decode()
    assert "谁在哪里登录" in page
    for link in (
        "/accounts/login/phone/",
        "/accounts/join/",
        "/tenders/bidders/register/",
        "/accounts/password/reset/",
    ):
        assert f'href="{link}' in page


def test_it_records_the_session_of_whoever_signs_in(personas):
    client = Client()
    _sign_in(client, "staff_a")
    assert SessionRecord.objects.filter(user=personas.street_a, session_key=client.session.session_key).exists()


@pytest.fixture
def consulting_project(personas):
    from renovation.projects.models import ProjectStatus
    from tests.consultation.factories import HouseholdFactory
    from tests.factories import ProjectFactory

    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    HouseholdFactory(neighbourhood=personas.street_a_place)
    return project


def test_it_gives_the_same_answer_to_a_reset_for_an_unknown_address(personas, client):
    personas.street_a.email = "a@example.cn"
    personas.street_a.save()
    known = client.post("/accounts/password/reset/", {"email": "a@example.cn"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.cn"]
    assert "设置新密码" in mail.outbox[0].subject


def test_it_sets_a_new_password_from_the_mailed_link_and_ends_other_sessions(personas, client):
    personas.street_a.email = "a@example.cn"
    personas.street_a.save()
    elsewhere = Client()
    _sign_in(elsewhere, "staff_a")
    client.post("/accounts/password/reset/", {"email": "a@example.cn"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200 and "设置新密码" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Fresh-Start-2026", "new_password2": "Fresh-Start-2026"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/complete/"
    personas.street_a.refresh_from_db()
    assert personas.street_a.check_password("Fresh-Start-2026")
    assert elsewhere.get("/admin/").status_code == 302
    assert not SessionRecord.objects.filter(user=personas.street_a).exists()
