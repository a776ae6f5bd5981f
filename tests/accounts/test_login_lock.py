"""Brute force: five failures for one username from one address lock it for 15 minutes, on every
sign-in form, with the same answer whether the account exists or not."""

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from renovation.accounts import services

LOCK_MESSAGE = "登录失败次数过多"


def _fail(client: Client, url: str, username: str, times: int = 5) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-guess"})
        assert response.status_code in (200, 429)


def test_it_locks_the_public_login_after_five_failures_even_for_the_right_password(personas):
    client = Client()
    _fail(client, "/accounts/login/", "staff_a", times=4)
    assert client.post("/accounts/login/", {"username": "staff_a", "password": "pw"}).status_code == 302
    client.post("/accounts/logout/")
    _fail(client, "/accounts/login/", "staff_a")
    response = client.post("/accounts/login/", {"username": "staff_a", "password": "pw"})
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCK_MESSAGE in page and "15 分钟" in page and 'name="username"' in page
    assert "_auth_user_id" not in client.session


def _errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def test_it_gives_the_same_answer_for_an_account_that_does_not_exist(personas):
    existing, missing = Client(), Client()
    wrong = existing.post("/accounts/login/", {"username": "staff_a", "password": "x"})
    unknown = missing.post("/accounts/login/", {"username": "no_such_person", "password": "x"})
    assert wrong.status_code == unknown.status_code == 200 and _errors(wrong) == _errors(unknown)
    _fail(existing, "/accounts/login/", "staff_a", times=4)
    _fail(missing, "/accounts/login/", "no_such_person", times=4)
    locked = existing.post("/accounts/login/", {"username": "staff_a", "password": "pw"})
    locked_unknown = missing.post("/accounts/login/", {"username": "no_such_person", "password": "pw"})
    assert locked.status_code == locked_unknown.status_code == 429
    assert _errors(locked) == _errors(locked_unknown) and LOCK_MESSAGE in _errors(locked)[0]


def test_it_locks_only_that_username_from_that_address(personas):
    client = Client()
    _fail(client, "/accounts/login/", "staff_a")
    assert client.post("/accounts/login/", {"username": "staff_b", "password": "pw"}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert elsewhere.post("/accounts/login/", {"username": "staff_a", "password": "pw"}).status_code == 302


def test_it_locks_the_admin_login_too_with_a_clear_message(personas):
    client = Client()
    _fail(client, "/admin/login/", "root")
    response = client.post("/admin/login/", {"username": "root", "password": "pw"})
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_it_lets_bureau_staff_see_and_lift_a_lock(personas, login):
    _fail(Client(), "/accounts/login/", "staff_a")
    lock = AccessAttempt.objects.get(username="staff_a")
    page = login(personas.bureau).get("/admin/sign-in-locks/").content.decode()
    assert "staff_a" in page and "解除锁定" in page
    response = login(personas.bureau).post("/admin/sign-in-locks/", {"attempt": lock.pk})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert Client().post("/accounts/login/", {"username": "staff_a", "password": "pw"}).status_code == 302


def test_it_refuses_street_staff_lifting_a_lock(personas, login):
    _fail(Client(), "/accounts/login/", "staff_b")
    lock = AccessAttempt.objects.get(username="staff_b")
    assert login(personas.street_a).post("/admin/sign-in-locks/", {"attempt": lock.pk}).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.login_lock_lift(actor=personas.street_a, attempt_id=lock.pk)
    assert AccessAttempt.objects.filter(pk=lock.pk).exists()


def test_it_lists_locks_in_a_fixed_number_of_queries(personas, login):
    client = login(personas.bureau)
    _fail(Client(), "/accounts/login/", "staff_a")
    client.get("/admin/sign-in-locks/")
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/sign-in-locks/")
    for index in range(5):
        _fail(Client(REMOTE_ADDR=f"10.0.0.{index + 1}"), "/accounts/login/", f"guess{index}")
    with CaptureQueriesContext(connection) as six:
        page = client.get("/admin/sign-in-locks/").content.decode()
    assert "guess4" in page
    assert len(six.captured_queries) == len(one.captured_queries)
