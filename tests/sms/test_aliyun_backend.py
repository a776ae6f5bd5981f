"""The Alibaba Cloud adapter against a stub of the provider on 127.0.0.1: the request it sends,
and how provider errors reach the person asking for a code."""

import json
import logging
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from renovation.sms.backends import aliyun
from renovation.sms.codes import phone_code_send
from renovation.sms.message import SmsMessage, SmsSendError
from renovation.sms.models import PhoneCode


class StubProvider:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.status = 200
        self.answer: dict[str, str] = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}


@pytest.fixture
def provider() -> Iterator[StubProvider]:
    stub = StubProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.urlsplit(self.path).query
            stub.requests.append(dict(urllib.parse.parse_qsl(query, keep_blank_values=True)))
            body = json.dumps(stub.answer).encode()
            self.send_response(stub.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings_block = {
        "ACCESS_KEY_ID": "stub-id",
        "ACCESS_KEY_SECRET": "stub-secret",
        "SIGN_NAME": "老旧小区改造",
        "TEMPLATES": {"code": "SMS_100001", "notice": "SMS_100002"},
        "ENDPOINT": f"http://127.0.0.1:{server.server_port}",
        "REGION": "cn-hangzhou",
        "TIMEOUT": 5,
    }
    with override_settings(SMS_ALIYUN=settings_block, SMS_BACKEND="renovation.sms.backends.aliyun.SmsBackend"):
        yield stub
    server.shutdown()
    server.server_close()


def test_it_sends_a_signed_sendsms_request(provider):
    aliyun.SmsBackend().send(SmsMessage(number="13812341234", text="x", template="code", params={"code": "654321"}))
    (request,) = provider.requests
    signature = request.pop("Signature")
    assert signature == aliyun.sign(method="GET", params=request, access_key_secret="stub-secret")
    assert request["Action"] == "SendSms"
    assert request["Version"] == "2017-05-25"
    assert request["PhoneNumbers"] == "13812341234"
    assert request["SignName"] == "老旧小区改造"
    assert request["TemplateCode"] == "SMS_100001"
    assert json.loads(request["TemplateParam"]) == {"code": "654321"}
    assert request["AccessKeyId"] == "stub-id"


def test_it_raises_when_the_provider_refuses(provider):
    provider.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控 13812341234"}
    with pytest.raises(SmsSendError) as error:
        aliyun.SmsBackend().send(SmsMessage(number="13812341234", text="x", template="code", params={}))
    assert "isv.BUSINESS_LIMIT_CONTROL" in str(error.value)
    assert "13812341234" not in str(error.value)


def test_it_raises_on_an_http_error_with_the_provider_code(provider):
    provider.status = 400
    provider.answer = {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
    with pytest.raises(SmsSendError, match="SignatureDoesNotMatch"):
        aliyun.SmsBackend().send(SmsMessage(number="13812341234", text="x", template="code", params={}))


def test_it_raises_when_the_provider_is_unreachable():
    settings_block = {
        "ACCESS_KEY_ID": "id",
        "ACCESS_KEY_SECRET": "secret",
        "SIGN_NAME": "签名",
        "TEMPLATES": {"code": "SMS_1"},
        "ENDPOINT": "http://127.0.0.1:9",  # discard port: nothing listens
        "REGION": "cn-hangzhou",
        "TIMEOUT": 2,
    }
    with override_settings(SMS_ALIYUN=settings_block), pytest.raises(SmsSendError, match="unreachable"):
        aliyun.SmsBackend().send(SmsMessage(number="13812341234", text="x", template="code", params={}))


@pytest.mark.django_db(transaction=True)
def test_it_tells_the_person_and_voids_the_code_when_sending_fails(provider, caplog):
    provider.answer = {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    with caplog.at_level(logging.INFO), pytest.raises(ValidationError) as error:
        phone_code_send(number="13812341234", purpose="login", ip="127.0.0.1")
    assert error.value.code == "send_failed"
    assert PhoneCode.objects.get().voided_at is not None
    assert "13812341234" not in caplog.text
    assert "138****1234" in caplog.text
