"""Staff sessions end after 8 idle hours; other people's sessions keep Django's cookie age."""

import time

from django.test import Client, override_settings

from renovation.accounts.middleware import SEEN_KEY
from renovation.accounts.services import sessions_end


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_gives_staff_sessions_the_idle_limit(personas):
    client = _signed_in(personas.street_a)
    assert client.get("/admin/").status_code == 200
    assert client.session.get_expiry_age() == 8 * 3600


def test_it_ends_a_staff_session_idle_longer_than_the_limit(personas):
    client = _signed_in(personas.street_a)
    client.get("/admin/")
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 8 * 3600 - 5
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@override_settings(STAFF_SESSION_IDLE_SECONDS=60)
def test_it_keeps_a_staff_session_that_is_in_use(personas):
    client = _signed_in(personas.bureau)
    client.get("/admin/")
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 59
    session.save()
    assert client.get("/admin/").status_code == 200


def test_it_leaves_other_sessions_alone(personas):
    client = _signed_in(personas.resident)
    client.get("/")
    assert SEEN_KEY not in client.session


def test_it_ends_every_session_of_a_user_but_the_one_kept(personas):
    phone, desk, other = _signed_in(personas.street_a), _signed_in(personas.street_a), _signed_in(personas.street_b)
    assert sessions_end(user=personas.street_a, keep_session_key=desk.session.session_key) == 1
    assert phone.get("/admin/").status_code == 302
    assert desk.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 200
