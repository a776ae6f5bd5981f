"""The Alibaba Cloud adapter signs exactly as the provider's API docs show (offline)."""

import json

from django.test import override_settings

from renovation.sms.backends import aliyun
from renovation.sms.message import SmsMessage

# The worked example of the SendSms signature in Alibaba Cloud's SMS API documentation
# (AccessKeyId testId, AccessKeySecret testSecret).
DOCUMENTED_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOCUMENTED_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001"
    "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4"
    "%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode"
    "%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp"
    "%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
)
DOCUMENTED_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_it_builds_the_documented_string_to_sign():
    assert aliyun.string_to_sign("GET", DOCUMENTED_PARAMS) == DOCUMENTED_STRING_TO_SIGN


def test_it_signs_the_documented_example():
    assert aliyun.sign(method="GET", params=DOCUMENTED_PARAMS, access_key_secret="testSecret") == DOCUMENTED_SIGNATURE


def test_it_encodes_spaces_and_tildes_as_the_provider_expects():
    assert aliyun.percent_encode("a b*~") == "a%20b%2A~"


def test_it_signs_its_own_requests_with_every_parameter():
    settings_block = {
        "ACCESS_KEY_ID": "testId",
        "ACCESS_KEY_SECRET": "testSecret",
        "SIGN_NAME": "阿里云短信测试专用",
        "TEMPLATES": {"code": "SMS_71390007"},
        "ENDPOINT": "http://127.0.0.1:1",
        "REGION": "cn-hangzhou",
        "TIMEOUT": 2,
    }
    with override_settings(SMS_ALIYUN=settings_block):
        backend = aliyun.SmsBackend()
    message = SmsMessage(number="15300000001", text="", template="code", params={"code": "123456"})
    params = backend.request_params(message, nonce="n-1", timestamp="2017-07-12T02:42:19Z")
    signature = params.pop("Signature")
    assert json.loads(params["TemplateParam"]) == {"code": "123456"}
    assert signature == aliyun.sign(method="GET", params=params, access_key_secret="testSecret")
