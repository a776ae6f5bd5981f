"""API keys: bureau staff issue them (the key shown once, only its digest stored) and revoke
them; a key lifts the anonymous rate to its tier's; a revoked key stops at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from renovation.api.models import ApiKey
from renovation.api.services import api_key_issue, api_key_revoke, key_digest

pytestmark = pytest.mark.django_db
RATES = {"anon": "3/minute", "standard": "5/minute", "partner": "8/minute"}


def test_it_stores_only_the_digest_and_shows_the_key_once(personas):
    issued = api_key_issue(actor=personas.bureau, name="数据大屏", organisation="市住建局")
    stored = ApiKey.objects.get()
    assert stored.digest == key_digest(issued.raw) and issued.raw not in (stored.digest, stored.prefix)
    assert issued.raw.startswith(stored.prefix)
    assert stored.created_by == personas.bureau
    assert stored.history.get().history_change_reason == "api_key_issue"


def test_only_the_bureau_issues_and_revokes(personas):
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以发放或吊销 API 密钥"):
        api_key_issue(actor=personas.street_a, name="x", organisation="y")
    issued = api_key_issue(actor=personas.bureau, name="x", organisation="y")
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以发放或吊销 API 密钥"):
        api_key_revoke(actor=personas.street_a, key=issued.key)


def test_a_key_acts_only_as_a_supervisor(personas):
    with pytest.raises(ValidationError) as error:
        api_key_issue(actor=personas.bureau, name="x", organisation="y", user=personas.resident)
    assert "user" in error.value.message_dict


def test_a_key_lifts_the_rate_and_a_revoked_key_stops(client, personas, settings):
    settings.API_RATES = RATES
    issued = api_key_issue(actor=personas.bureau, name="研究", organisation="浙江大学")
    statuses = [client.get("/api/v1/streets/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    keyed = [client.get("/api/v1/streets/", HTTP_AUTHORIZATION=f"Api-Key {issued.raw}").status_code for _ in range(6)]
    assert keyed == [200] * 5 + [429]
    assert ApiKey.objects.get().last_used_at is not None
    api_key_revoke(actor=personas.bureau, key=issued.key)
    refused = client.get("/api/v1/streets/", HTTP_X_API_KEY=issued.raw)
    assert refused.status_code == 401
    assert refused.json()["detail"] == gettext("This API key is not valid or was revoked.")
    with pytest.raises(ValidationError) as already:
        api_key_revoke(actor=personas.bureau, key=issued.key)
    assert already.value.messages == ["该密钥已被吊销。"]


def test_the_throttled_answer_says_when_to_come_back(client, db, settings):
    settings.API_RATES = RATES
    for _ in range(3):
        client.get("/open311/v2/services.json")
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()[0]["code"] == 429


def test_staff_issue_and_revoke_in_the_admin(client, personas):
    client.force_login(personas.bureau)
    page = client.post(
        "/admin/api-keys/", {"name": "数据大屏", "organisation": "市住建局", "tier": "partner", "user": ""}
    )
    assert page.status_code == 200
    key = ApiKey.objects.get()
    raw = page.context["issued"].raw
    assert raw in page.content.decode() and key.tier == "partner"
    # Shown once: the list never shows it again.
    assert raw not in client.get("/admin/api-keys/").content.decode()
    response = client.post("/admin/api-keys/revoke/", {"key": key.pk})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_by == personas.bureau and key.revoked_at is not None


def test_street_staff_cannot_open_the_keys_screen(client, personas):
    client.force_login(personas.street_a)
    assert client.get("/admin/api-keys/").status_code == 403
    assert client.post("/admin/api-keys/", {"name": "x", "organisation": "y", "tier": "standard"}).status_code == 403
    assert ApiKey.objects.count() == 0
