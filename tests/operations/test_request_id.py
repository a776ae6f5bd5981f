"""One request id from nginx through the Django logs and back in the response."""

import logging
import re

import pytest

from renovation.operations.requestid import RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    """Log records as the console handler formats them (the filter sets request_id)."""
    captured: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield captured
    logger.removeHandler(handler)


def test_it_echoes_the_id_nginx_sent(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="4f6b0c0d2e9a41c3b8f1a7d6e5c4b3a2")
    assert response["X-Request-ID"] == "4f6b0c0d2e9a41c3b8f1a7d6e5c4b3a2"


def test_it_makes_one_when_nothing_in_front_sent_it(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_it_replaces_an_id_that_could_forge_a_log_line(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc\nERROR forged line")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_it_puts_the_id_on_the_log_records_of_its_request(client, records):
    response = client.get("/no-such-page-anywhere/", HTTP_X_REQUEST_ID="req-1234567890")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-1234567890"
    not_found = [record for record in records if "Not Found" in record.getMessage()]
    assert [record.request_id for record in not_found] == ["req-1234567890"]
    assert current_request_id() == "-"  # nothing leaks past the request


def test_records_outside_a_request_say_so():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "worker line", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def _logged_with_exception(status: int) -> None:
    try:
        raise PermissionError("refused")
    except PermissionError:
        logging.getLogger("django.request").warning("Forbidden: /x/", exc_info=True, extra={"status_code": status})


def test_a_refused_request_is_one_line_without_a_traceback(records):
    _logged_with_exception(403)
    assert [(record.getMessage(), record.exc_info) for record in records] == [("Forbidden: /x/", None)]


def test_a_server_error_keeps_its_traceback(records):
    _logged_with_exception(500)
    assert records[0].exc_info is not None


def test_a_bad_host_header_is_logged_without_a_traceback(client, settings):
    import io

    settings.ALLOWED_HOSTS = ["renovation.example.gov.cn"]
    console = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        response = client.get("/healthz", HTTP_HOST="evil.example", HTTP_X_REQUEST_ID="req-badhost-1")
    finally:
        console.setStream(previous)
    assert response.status_code == 400
    output = stream.getvalue()
    assert "ERROR django.security.DisallowedHost [request_id=req-badhost-1] Invalid HTTP_HOST header" in output
    assert "Traceback" not in output
