"""Anonymous API answers are stored like public pages, but a stored answer is served only within
the caller's rate (the "api" gate), and a caller with a key always gets the view itself."""

import pytest

from renovation.api.services import api_key_issue

pytestmark = pytest.mark.django_db

RATES = {"anon": "3/minute", "standard": "5/minute", "partner": "10/minute"}


def test_it_serves_a_stored_api_answer_only_within_the_anonymous_rate(client, page_cache, settings, personas):
    settings.API_RATES = RATES
    answers = [client.get("/api/v1/streets/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.get("X-Public-Cache") for answer in answers[:3]] == ["miss", "hit", "hit"]
    assert answers[1]["ETag"] and answers[1]["Last-Modified"]


def test_a_caller_with_a_key_gets_the_api_fresh_and_rated_by_its_key(client, page_cache, settings, personas):
    settings.API_RATES = RATES
    issued = api_key_issue(actor=personas.bureau, name="研究", organisation="浙江大学")
    client.get("/api/v1/streets/")
    keyed = [client.get("/api/v1/streets/", HTTP_X_API_KEY=issued.raw) for _ in range(6)]
    assert [answer.status_code for answer in keyed] == [200] * 5 + [429]
    assert all(answer.get("X-Public-Cache") is None for answer in keyed)
    assert client.get("/api/v1/streets/")["X-Public-Cache"] == "hit"


def test_the_schema_is_not_stored_since_its_format_follows_the_accept_header(client, page_cache):
    client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    answer = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert answer.status_code == 200 and answer.get("X-Public-Cache") is None
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi+json")
