"""Alibaba Cloud SMS (阿里云短信服务, dysmsapi ``SendSms``, API version 2017-05-25).

Requests are signed as the provider's RPC API documents: the parameters are sorted by name,
percent-encoded (RFC 3986: only ``A-Za-z0-9-_.~`` stay as they are, a space is ``%20``), joined
into a canonical query string; the string to sign is ``GET&%2F&`` + that string percent-encoded
once more; the signature is base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)).
``tests/sms/test_aliyun_signature.py`` checks this against the example in the provider's docs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..message import SmsMessage, SmsSendError, mask_number

logger = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
_MOBILE = re.compile(r"1\d{10}")


def percent_encode(value: str) -> str:
    return urllib.parse.quote(str(value), safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params))


def string_to_sign(method: str, params: dict[str, str]) -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(*, method: str, params: dict[str, str], access_key_secret: str) -> str:
    key = f"{access_key_secret}&".encode()
    digest = hmac.new(key, string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class SmsBackend:
    def __init__(self, **options: Any) -> None:
        config = {**settings.SMS_ALIYUN, **options}
        self.access_key_id = config["ACCESS_KEY_ID"]
        self.access_key_secret = config["ACCESS_KEY_SECRET"]
        self.sign_name = config["SIGN_NAME"]
        self.templates: dict[str, str] = config["TEMPLATES"]
        self.endpoint = config["ENDPOINT"]
        self.region = config["REGION"]
        self.timeout = config["TIMEOUT"]
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            raise ImproperlyConfigured(
                "SMS_BACKEND is Alibaba Cloud: set SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET "
                "(or *_FILE) and SMS_ALIYUN_SIGN_NAME."
            )

    def request_params(self, message: SmsMessage, *, nonce: str, timestamp: str) -> dict[str, str]:
        template_code = self.templates.get(message.template)
        if not template_code:
            raise SmsSendError(f"no Alibaba Cloud template configured for {message.template!r}")
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.number,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": timestamp,
            "Version": API_VERSION,
        }
        params["Signature"] = sign(method="GET", params=params, access_key_secret=self.access_key_secret)
        return params

    def send(self, message: SmsMessage) -> None:
        params = self.request_params(
            message,
            nonce=str(uuid.uuid4()),
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        url = f"{self.endpoint.rstrip('/')}/?{canonical_query(params)}"
        request = urllib.request.Request(url, method="GET", headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            # The provider answers signature, permission and throttling errors with 4xx and a JSON body.
            body = error.read()
            code, text = _error_of(body)
            raise SmsSendError(f"Alibaba Cloud SMS HTTP {error.code}: {code} {text}".strip()) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsSendError(f"Alibaba Cloud SMS unreachable: {error}") from error
        code, text = _error_of(body)
        if code != "OK":
            raise SmsSendError(f"Alibaba Cloud SMS refused: {code} {text}".strip())
        logger.info("SMS %s sent to %s", message.template, mask_number(message.number))


def _error_of(body: bytes) -> tuple[str, str]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "InvalidResponse", ""
    if not isinstance(data, dict):
        return "InvalidResponse", ""
    # Never let a number the provider echoes back reach a log line or an error report.
    text = _MOBILE.sub(lambda match: mask_number(match.group(0)), str(data.get("Message", "")))
    return str(data.get("Code", "")), text[:200]
