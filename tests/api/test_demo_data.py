"""The demo's data appears in every open-data format: each API resource and Open311 answer with
the seeded rows (the demo's tenders, contracts, payments, disclosures, issues and tallies)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tests.api.scene import api_list_paths

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_every_endpoint_carries_the_demo(settings):
    settings.API_RATES = {"anon": "10000/minute", "standard": "10000/minute", "partner": "10000/minute"}
    out = StringIO()
    call_command("seed_demo", stdout=out)
    client = Client()
    # The demo prints a key acting as a supervisor (for the Open311 POST): it works.
    key = re.search(r"api-key .* password: (rk_\S+)", out.getvalue()).group(1)
    assert Client(HTTP_X_API_KEY=key).get("/api/v1/streets/").status_code == 200
    for path in api_list_paths():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()["results"], f"{path} is empty on the demo"
    opened = [t for t in client.get("/api/v1/tenders/?status=awarded").json()["results"] if t["opening_record"]]
    assert opened, "an awarded demo tender publishes its opening record"
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}?start_date=2020-01-01T00:00:00%2B08:00")
        assert response.status_code == 200
        assert b"service_request_id" in response.content
