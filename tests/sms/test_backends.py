import io

from django.test import override_settings

from renovation import sms
from renovation.sms.backends.console import SmsBackend as ConsoleBackend
from renovation.sms.message import SmsMessage, mask_number, send_sms


def test_it_keeps_messages_in_the_outbox_in_tests():
    send_sms(number="13812341234", text="你好", template="notice", params={"title": "t"})
    (message,) = sms.outbox
    assert (message.number, message.text, message.template, message.params) == (
        "13812341234",
        "你好",
        "notice",
        {"title": "t"},
    )


def test_it_prints_messages_on_the_console():
    stream = io.StringIO()
    ConsoleBackend(stream=stream).send(SmsMessage(number="13812341234", text="验证码 123456", template="code"))
    assert "验证码 123456" in stream.getvalue()


@override_settings(SMS_BACKEND="renovation.sms.backends.console.SmsBackend")
def test_it_chooses_the_backend_from_the_setting(capsys):
    send_sms(number="13812341234", text="hello", template="notice")
    assert "hello" in capsys.readouterr().out
    assert sms.outbox == []


def test_it_masks_numbers():
    assert mask_number("13812341234") == "138****1234"
    assert mask_number("") == "****"


def test_it_masks_the_number_on_the_console():
    stream = io.StringIO()
    ConsoleBackend(stream=stream).send(SmsMessage(number="13812341234", text="x", template="code"))
    assert "13812341234" not in stream.getvalue() and "138****1234" in stream.getvalue()
