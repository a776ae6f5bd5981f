"""The object-storage backend against a local S3-compatible server (moto), as production runs it
with FILES_STORAGE=s3: private objects are refused to anonymous readers and reached only through
signed URLs that expire; public objects have plain permanent URLs."""

import urllib.error
import urllib.request
from datetime import UTC, datetime
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import StorageHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from moto.server import ThreadedMotoServer

from renovation.settings.files import storages_setting
from renovation.tendering import bidding
from renovation.tendering.models import BidderDocument

BUCKET = "renovation-files"


@pytest.fixture
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: a free one
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _s3_environment(monkeypatch: pytest.MonkeyPatch, endpoint: str, bucket: str) -> dict:
    """FILES_STORAGE=s3 as deploy/env.example describes it, pointed at the local server."""
    for name, value in {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_URL_PROTOCOL": "http:",
    }.items():
        monkeypatch.setenv(name, value)
    return storages_setting(backend="s3", private_root="", expire=settings.PRIVATE_FILE_URL_SECONDS)


@pytest.fixture
def s3_storages(s3_endpoint, monkeypatch) -> StorageHandler:
    setting = _s3_environment(monkeypatch, s3_endpoint, BUCKET)
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client.create_bucket(Bucket=BUCKET)
    return StorageHandler(setting)


def _anonymous_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_it_keeps_private_objects_from_anonymous_readers(s3_storages, s3_endpoint):
    name = s3_storages["private"].save("bidders/1/licence.pdf", ContentFile(b"%PDF-1.4 licence"))
    assert _anonymous_get(f"{s3_endpoint}/{BUCKET}/private/{name}")[0] == 403


def test_it_signs_private_urls_that_expire(s3_storages):
    private = s3_storages["private"]
    name = private.save("bidders/1/licence.pdf", ContentFile(b"%PDF-1.4 licence"))
    url = private.url(name)
    status, body = _anonymous_get(url)
    assert (status, body) == (200, b"%PDF-1.4 licence")
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert int(query["X-Amz-Expires"]) == settings.PRIVATE_FILE_URL_SECONDS <= 300
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 60
    assert len(query["X-Amz-Signature"]) == 64


def test_it_gives_public_objects_a_permanent_unsigned_url(s3_storages):
    public = s3_storages["default"]
    name = public.save("original_images/facade.jpg", ContentFile(b"jpeg bytes"))
    url = public.url(name)
    assert "X-Amz-Signature" not in url and "?" not in url
    assert _anonymous_get(url) == (200, b"jpeg bytes")


def test_it_redirects_a_permitted_reader_to_a_signed_url(s3_storages, tender_cast, monkeypatch):
    # The model's field resolved its storage at start-up; point it at the S3 private storage.
    monkeypatch.setattr(BidderDocument._meta.get_field("file"), "storage", s3_storages["private"])
    company_user = tender_cast.accounts[0]
    document = bidding.bidder_document_add(
        actor=company_user,
        bidder=tender_cast.bidders[0],
        title="营业执照",
        upload=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence"),
    )
    assert Client().get(document.download_url).status_code == 404
    client = Client()
    client.force_login(company_user)
    response = client.get(document.download_url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert f"/{BUCKET}/private/bidders/" in location and "X-Amz-Signature=" in location
    assert "attachment" in parse_qs(urlsplit(location).query)["response-content-disposition"][0]
    assert _anonymous_get(location) == (200, b"%PDF-1.4 licence")


def test_it_checks_a_deployment_with_files_check(s3_endpoint, monkeypatch):
    setting = _s3_environment(monkeypatch, s3_endpoint, "fresh-bucket")
    out = StringIO()
    with override_settings(STORAGES=setting):
        call_command("files_check", "--create-buckets", stdout=out)
    assert out.getvalue().startswith("ok: public objects readable, private objects refused without a signature")


def test_it_fails_files_check_when_private_objects_are_public(s3_endpoint, monkeypatch):
    setting = _s3_environment(monkeypatch, s3_endpoint, "leaky-bucket")
    setting["private"]["OPTIONS"]["default_acl"] = "public-read"  # a misconfigured bucket
    with override_settings(STORAGES=setting), pytest.raises(CommandError, match="without a signature answered 200"):
        call_command("files_check", "--create-buckets", stdout=StringIO())
