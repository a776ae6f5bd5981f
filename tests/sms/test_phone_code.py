"""Codes: 6 digits, valid 5 minutes, hashed, rate-limited per number and per address, void
after 5 wrong entries; numbers never in log lines."""

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from renovation import sms
from renovation.sms.codes import phone_code_send, phone_code_verify, phone_number_normalise
from renovation.sms.models import PhoneCode
from tests.sms.conftest import last_code

pytestmark = pytest.mark.django_db
NUMBER = "13812341234"


def test_it_sends_six_digits_and_stores_neither_code_nor_number():
    phone_code_send(number=NUMBER, purpose="join", ip="10.0.0.1")
    (message,) = sms.outbox
    code = message.params["code"]
    assert len(code) == 6 and code.isdigit()
    assert message.number == NUMBER and code in message.text and message.template == "code"
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and NUMBER not in row.number_digest
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_it_accepts_the_code_once():
    phone_code_send(number=NUMBER, purpose="join", ip=None)
    phone_code_verify(number=NUMBER, purpose="join", code=last_code())
    with pytest.raises(ValidationError) as error:
        phone_code_verify(number=NUMBER, purpose="join", code=last_code())
    assert error.value.code == "code_expired"


def test_it_refuses_a_code_for_another_purpose():
    phone_code_send(number=NUMBER, purpose="join", ip=None)
    with pytest.raises(ValidationError, match="验证码已过期或未发送"):
        phone_code_verify(number=NUMBER, purpose="login", code=last_code())


def test_it_refuses_a_late_code():
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        phone_code_verify(number=NUMBER, purpose="login", code=last_code())
    assert error.value.code == "code_expired"


def test_it_counts_wrong_codes_and_voids_at_the_fifth():
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    right = last_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as error:
            phone_code_verify(number=NUMBER, purpose="login", code=wrong)
        assert error.value.code == "code_wrong" and str(left) in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        phone_code_verify(number=NUMBER, purpose="login", code=wrong)
    assert error.value.code == "code_voided"
    with pytest.raises(ValidationError, match="验证码已过期或未发送"):
        phone_code_verify(number=NUMBER, purpose="login", code=right)
    assert PhoneCode.objects.get().failed_attempts == 5


def test_it_makes_an_earlier_code_stop_working_when_a_new_one_is_sent():
    phone_code_send(number=NUMBER, purpose="reset", ip=None)
    first = last_code()
    phone_code_send(number=NUMBER, purpose="reset", ip=None)
    if first != last_code():
        with pytest.raises(ValidationError, match="验证码错误，还可尝试 4 次"):
            phone_code_verify(number=NUMBER, purpose="reset", code=first)
    phone_code_verify(number=NUMBER, purpose="reset", code=last_code())


def test_it_allows_five_sends_per_number_per_hour():
    for _ in range(5):
        phone_code_send(number=NUMBER, purpose="login", ip=None)
    with pytest.raises(ValidationError) as error:
        phone_code_send(number=NUMBER, purpose="join", ip=None)
    assert error.value.code == "number_rate"
    assert len(sms.outbox) == 5
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    assert len(sms.outbox) == 6


def test_it_allows_twenty_sends_per_address_per_day():
    for index in range(20):
        phone_code_send(number=f"1390000{index:04d}", purpose="login", ip="10.1.1.1")
    with pytest.raises(ValidationError) as error:
        phone_code_send(number="13700000000", purpose="login", ip="10.1.1.1")
    assert error.value.code == "ip_rate"
    phone_code_send(number="13700000000", purpose="login", ip="10.1.1.2")
    assert len(sms.outbox) == 21


def test_it_counts_undelivered_attempts_without_sending():
    for _ in range(5):
        phone_code_send(number=NUMBER, purpose="login", ip=None, deliver=False)
    assert sms.outbox == []
    with pytest.raises(ValidationError, match="次数过多"):
        phone_code_send(number=NUMBER, purpose="login", ip=None)
    with pytest.raises(ValidationError, match="验证码错误，还可尝试 4 次"):
        phone_code_verify(number=NUMBER, purpose="login", code="000000")


@override_settings(SMS_SENDS_PER_NUMBER_PER_HOUR=2, SMS_CODE_MAX_FAILURES=1)
def test_it_reads_its_limits_from_settings():
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    with pytest.raises(ValidationError) as error:
        phone_code_verify(number=NUMBER, purpose="login", code="x")
    assert error.value.code == "code_voided"
    phone_code_send(number=NUMBER, purpose="login", ip=None)
    with pytest.raises(ValidationError, match="次数过多"):
        phone_code_send(number=NUMBER, purpose="login", ip=None)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("13812341234", NUMBER), ("+86 138-1234-1234", NUMBER), ("8613812341234", NUMBER), (" 138 1234 1234 ", NUMBER)],
)
def test_it_normalises_mainland_mobile_numbers(raw, normal):
    assert phone_number_normalise(raw) == normal


@pytest.mark.parametrize("raw", ["", "12812341234", "1381234123", "0577-65812345", "138123412345", "abc"])
def test_it_refuses_what_is_not_a_mainland_mobile_number(raw):
    with pytest.raises(ValidationError, match="请输入 11 位中国大陆手机号"):
        phone_code_send(number=raw, purpose="login", ip=None)
    assert PhoneCode.objects.count() == 0


def test_it_never_logs_a_number(caplog):
    with caplog.at_level(logging.DEBUG):
        phone_code_send(number=NUMBER, purpose="login", ip=None)
        with pytest.raises(ValidationError, match="验证码错误，还可尝试 4 次"):
            phone_code_verify(number=NUMBER, purpose="login", code="000000" if last_code() != "000000" else "1")
    assert caplog.text
    assert NUMBER not in caplog.text
    assert "138****1234" in caplog.text
