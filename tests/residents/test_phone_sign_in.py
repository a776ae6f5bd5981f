"""/accounts/login/phone/: mobile number + SMS code, the same answer for unknown numbers."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from renovation import sms
from renovation.sms.models import PhoneCode
from renovation.sms.services import user_phone_set
from tests.factories import UserFactory
from tests.residents.conftest import NUMBER, sms_code

pytestmark = pytest.mark.django_db
UNKNOWN = "13900009999"


def _page(response) -> str:
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(NUMBER, "<n>").replace(UNKNOWN, "<n>")


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.fixture
def resident(db):
    user = UserFactory(username="居民乙")
    user_phone_set(user=user, number=NUMBER)
    return user


def test_it_signs_a_resident_in_with_the_sms_code(client, resident):
    response = client.post("/accounts/login/phone/", {"action": "send", "number": NUMBER})
    assert response.status_code == 302 and "step=code" in response.url
    response = client.post("/accounts/login/phone/", {"sms_code": sms_code()})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


def test_it_answers_an_unknown_number_exactly_as_a_known_one(client, resident):
    known = client.post("/accounts/login/phone/", {"action": "send", "number": NUMBER}, follow=True)
    sent = len(sms.outbox)
    known_wrong = client.post("/accounts/login/phone/", {"sms_code": _wrong(sms_code())})
    client.session.flush()
    unknown = client.post("/accounts/login/phone/", {"action": "send", "number": UNKNOWN}, follow=True)
    unknown_wrong = client.post("/accounts/login/phone/", {"sms_code": "000000"})
    assert len(sms.outbox) == sent == 1  # nothing went to the unknown number
    assert _page(known) == _page(unknown)
    assert known_wrong.status_code == unknown_wrong.status_code == 400
    assert _page(known_wrong) == _page(unknown_wrong)
    assert PhoneCode.objects.count() == 2  # both attempts counted


def test_it_refuses_a_wrong_code_and_voids_it_at_the_fifth(client, resident):
    client.post("/accounts/login/phone/", {"action": "send", "number": NUMBER})
    right = sms_code()
    for _ in range(4):
        assert client.post("/accounts/login/phone/", {"sms_code": _wrong(right)}).status_code == 400
    # The fifth wrong code voids the code, and the sign-in lock (django-axes) closes this address too.
    assert client.post("/accounts/login/phone/", {"sms_code": _wrong(right)}).status_code == 429
    AccessAttempt.objects.all().delete()  # staff lift the lock: the voided code still does not work
    response = client.post("/accounts/login/phone/", {"sms_code": right})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_it_refuses_too_many_sends_for_a_number(client, resident):
    for _ in range(5):
        client.post("/accounts/login/phone/", {"action": "send", "number": NUMBER})
    response = client.post("/accounts/login/phone/", {"action": "send", "number": NUMBER})
    assert response.status_code == 400 and len(sms.outbox) == 5


def test_it_refuses_what_is_not_a_mobile_number(client):
    response = client.post("/accounts/login/phone/", {"action": "send", "number": "0577-6581234"})
    assert response.status_code == 400 and PhoneCode.objects.count() == 0


def test_it_sends_nothing_to_a_staff_account(client, personas):
    user_phone_set(user=personas.street_a, number=NUMBER)
    client.post("/accounts/login/phone/", {"action": "send", "number": NUMBER})
    assert sms.outbox == []


def test_it_changes_the_password_with_an_sms_code(client, resident):
    response = client.post("/accounts/password/reset/phone/", {"action": "send", "number": NUMBER})
    assert response.status_code == 302
    response = client.post(
        "/accounts/password/reset/phone/",
        {"sms_code": sms_code(), "password1": "Neu-Passwort-2026", "password2": "Neu-Passwort-2026"},
    )
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert get_user_model().objects.get(pk=resident.pk).check_password("Neu-Passwort-2026")


def test_it_keeps_the_password_after_a_wrong_reset_code(client, resident):
    client.post("/accounts/password/reset/phone/", {"action": "send", "number": NUMBER})
    response = client.post(
        "/accounts/password/reset/phone/",
        {"sms_code": _wrong(sms_code()), "password1": "Neu-Passwort-2026", "password2": "Neu-Passwort-2026"},
    )
    assert response.status_code == 400
    assert get_user_model().objects.get(pk=resident.pk).check_password("pw")


def test_it_answers_a_reset_for_an_unknown_number_without_sending(client):
    response = client.post("/accounts/password/reset/phone/", {"action": "send", "number": UNKNOWN})
    assert response.status_code == 302 and sms.outbox == []
    response = client.post(
        "/accounts/password/reset/phone/",
        {"sms_code": "123456", "password1": "Neu-Passwort-2026", "password2": "Neu-Passwort-2026"},
    )
    assert response.status_code == 400


def test_it_links_phone_sign_in_from_the_login_page(client):
    text = client.get("/accounts/login/").content.decode()
    assert "/accounts/login/phone/" in text and "/accounts/password/reset/phone/" in text and "/accounts/join/" in text
