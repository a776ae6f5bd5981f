"""/accounts/join/: household code + mobile → SMS code → password → an account linked to the
household, with the privacy consent recorded. Every bad input: a clear message, nothing saved."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from renovation import sms
from renovation.consultation.join_services import join_codes_issue
from renovation.consultation.models import Household, HouseholdMember, JoinAttempt, JoinCode
from renovation.consultation.permissions import is_linked_resident
from renovation.sms.models import UserPhone
from renovation.sms.services import user_phone_set
from tests.factories import UserFactory
from tests.residents.conftest import NUMBER, sms_code

pytestmark = pytest.mark.django_db


def _accounts() -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.count()


def test_it_shows_the_privacy_notice_and_prefills_the_code_from_the_qr(client):
    response = client.get("/accounts/join/?code=ABCD-EFGH-JKLM")
    text = response.content.decode()
    assert response.status_code == 200
    assert "个人信息保护" in text and "ABCD-EFGH-JKLM" in text


def test_it_creates_an_account_linked_to_the_household(client, households, codes, join):
    household = households[1]
    response = join(codes[household.pk])
    assert response.status_code == 302 and response.url == "/consultation/"
    phone = UserPhone.objects.select_related("user").get(number=NUMBER)
    member = HouseholdMember.objects.get(user=phone.user)
    assert member.household == household and member.consent_version == "2026-11" and member.consent_at
    household.refresh_from_db()
    assert household.resident == phone.user  # the first joiner is the household's linked resident
    assert is_linked_resident(phone.user, household)
    code = JoinCode.objects.get(household=household, used_at__isnull=False)
    assert code.used_by == phone.user
    assert client.get("/consultation/").wsgi_request.user == phone.user


def test_it_accepts_the_code_in_lower_case_without_dashes(households, codes, join):
    code = codes[households[0].pk].replace("-", "").lower()
    assert join(code).status_code == 302


def test_it_refuses_an_unknown_code_and_counts_the_attempt(client, households, codes):
    response = client.post("/accounts/join/", {"code": "AAAA-BBBB-CCCC", "number": NUMBER, "consent": "on"})
    assert response.status_code == 400
    assert "户码不存在。请核对告知书后重新输入。" in response.content.decode()
    assert JoinAttempt.objects.count() == 1 and sms.outbox == []


def test_it_refuses_a_used_code(client, households, codes, join):
    code = codes[households[0].pk]
    join(code)
    client.logout()
    before = _accounts()
    response = join(code, number="13900000001")
    assert response.status_code == 400
    assert _accounts() == before and JoinAttempt.objects.count() == 1


def test_it_refuses_an_expired_code(client, households, codes):
    JoinCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    assert response.status_code == 400 and sms.outbox == []


def test_it_refuses_a_replaced_code(client, personas, households, codes):
    join_codes_issue(actor=personas.street_a, neighbourhood=personas.street_a_place)
    response = client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    assert response.status_code == 400 and sms.outbox == []


def test_it_needs_the_consent(client, households, codes):
    response = client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER})
    assert response.status_code == 400 and sms.outbox == []


def test_it_refuses_a_number_already_linked(client, households, codes):
    user_phone_set(user=UserFactory(), number=NUMBER)
    response = client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    assert response.status_code == 400 and sms.outbox == []
    assert JoinCode.objects.filter(used_at__isnull=False).count() == 0


def test_it_refuses_a_wrong_sms_code_and_saves_nothing(client, households, codes, join):
    before = _accounts()
    client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    wrong = "000000" if sms_code() != "000000" else "111111"
    response = client.post(
        "/accounts/join/confirm/", {"sms_code": wrong, "password1": "Feiyun-2026!", "password2": "Feiyun-2026!"}
    )
    assert response.status_code == 400 and "4" in response.content.decode()
    assert _accounts() == before and not HouseholdMember.objects.exists()


def test_it_refuses_a_late_sms_code(client, households, codes):
    from renovation.sms.models import PhoneCode

    client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(
        "/accounts/join/confirm/", {"sms_code": sms_code(), "password1": "Feiyun-2026!", "password2": "Feiyun-2026!"}
    )
    assert response.status_code == 400 and not HouseholdMember.objects.exists()


def test_it_refuses_a_weak_password_before_using_the_sms_code(client, households, codes):
    client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    response = client.post("/accounts/join/confirm/", {"sms_code": sms_code(), "password1": "123", "password2": "123"})
    assert response.status_code == 400 and not HouseholdMember.objects.exists()
    response = client.post(
        "/accounts/join/confirm/", {"sms_code": sms_code(), "password1": "Feiyun-2026!", "password2": "Feiyun-2026!"}
    )
    assert response.status_code == 302


def test_it_refuses_too_many_sends(client, households, codes):
    for _ in range(5):
        client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    response = client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    assert response.status_code == 400 and len(sms.outbox) == 5


@override_settings(HOUSEHOLD_MAX_ACCOUNTS=3)
def test_it_links_at_most_three_accounts_to_a_household(client, personas, households, codes, join):
    household = households[0]
    household.resident = personas.resident  # staff's hand link counts
    household.save()
    for number in ("13900000001", "13900000002"):
        issued = join_codes_issue(
            actor=personas.street_a,
            neighbourhood=personas.street_a_place,
            households=Household.objects.filter(pk=household.pk),
        )
        assert join(issued[0].code, number=number).status_code == 302
        client.logout()
    issued = join_codes_issue(
        actor=personas.street_a,
        neighbourhood=personas.street_a_place,
        households=Household.objects.filter(pk=household.pk),
    )
    response = client.post("/accounts/join/", {"code": issued[0].code, "number": "13900000003", "consent": "on"})
    assert response.status_code == 400
    assert HouseholdMember.objects.filter(household=household).count() == 2
    household.refresh_from_db()
    assert household.resident == personas.resident  # the hand link is kept


@override_settings(JOIN_CODE_FAILURES_PER_IP_PER_HOUR=3)
def test_it_limits_guessing_join_codes_per_address(client, households, codes):
    for _ in range(3):
        client.post("/accounts/join/", {"code": "AAAA-BBBB-CCCC", "number": NUMBER, "consent": "on"})
    response = client.post("/accounts/join/", {"code": codes[households[0].pk], "number": NUMBER, "consent": "on"})
    assert response.status_code == 400 and sms.outbox == []


def test_it_sends_the_confirm_step_back_to_the_start_without_a_session(client):
    assert client.get("/accounts/join/confirm/").url == "/accounts/join/"
