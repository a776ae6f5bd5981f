"""authenticate(request, phone=..., code=...) signs residents in with an SMS code."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from renovation.sms.codes import phone_code_send
from renovation.sms.services import user_phone_opt_in_set, user_phone_remove, user_phone_set
from tests.factories import UserFactory
from tests.sms.conftest import last_code

pytestmark = pytest.mark.django_db
NUMBER = "13812341234"


def test_it_signs_in_the_owner_of_a_verified_number():
    user = UserFactory(username="居民甲")
    user_phone_set(user=user, number=NUMBER)
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    assert authenticate(RequestFactory().post("/"), phone=NUMBER, code=last_code()) == user


def test_it_refuses_a_wrong_code_and_signals_the_failure():
    user_phone_set(user=UserFactory(), number=NUMBER)
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    failures = []

    def receiver(sender, credentials, **kwargs):
        failures.append(credentials)

    user_login_failed.connect(receiver)
    try:
        wrong = "000000" if last_code() != "000000" else "111111"
        assert authenticate(RequestFactory().post("/"), phone=NUMBER, code=wrong) is None
    finally:
        user_login_failed.disconnect(receiver)
    assert len(failures) == 1


def test_it_refuses_a_login_code_for_an_unknown_number():
    phone_code_send(number=NUMBER, purpose="login", ip=None, deliver=False)
    assert authenticate(RequestFactory().post("/"), phone=NUMBER, code="123456") is None


def test_it_never_signs_in_staff_by_sms(personas):
    user_phone_set(user=personas.street_a, number=NUMBER)
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    assert authenticate(RequestFactory().post("/"), phone=NUMBER, code=last_code()) is None


def test_it_refuses_a_number_that_belongs_to_another_account():
    user_phone_set(user=UserFactory(), number=NUMBER)
    with pytest.raises(ValidationError) as error:
        user_phone_set(user=UserFactory(), number=NUMBER)
    assert error.value.code == "number_taken"


def test_it_keeps_history_and_forgets_it_on_removal():
    user = UserFactory()
    phone = user_phone_set(user=user, number=NUMBER)
    user_phone_opt_in_set(user=user, opt_in=True)
    assert phone.history.count() == 2
    user_phone_remove(user=user)
    from renovation.sms.models import UserPhone

    assert not UserPhone.objects.exists()
    assert not UserPhone.history.exists()
