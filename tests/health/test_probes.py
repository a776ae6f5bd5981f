import os

import pytest
from django.db.utils import OperationalError


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_200_when_database_and_channel_layer_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "ok"}


def test_readyz_answers_503_and_names_the_database_when_it_fails(client, db, monkeypatch):
    def broken() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("renovation.health.views._check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error: OperationalError")
    assert response.json()["checks"]["channel_layer"] == "ok"


def test_readyz_answers_503_when_the_channel_layer_does_not_answer(client, db, settings):
    # A Redis port nobody listens on: the probe must fail fast and say so.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    settings.READINESS_TIMEOUT_SECONDS = 1
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/readyz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"].startswith("error")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI provides Redis)")
def test_readyz_round_trips_through_real_redis(client, db, settings):
    # Our bounded-pool subclass of channels_redis's core layer (renovation/realtime/layers.py).
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "renovation.realtime.layers.RedisChannelLayer"
    for _ in range(3):  # a fresh event loop per request must not break the pool
        assert client.get("/readyz").status_code == 200
