"""The joining cast: 飞云花园 in street A with a small register, letters issued by street A's staff."""

from typing import Any

import pytest

from renovation import sms
from renovation.consultation.join_services import join_codes_issue
from renovation.consultation.models import Household
from tests.consultation.factories import HouseholdFactory

NUMBER = "13812341234"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def households(personas) -> list[Household]:
    return HouseholdFactory.create_batch(3, neighbourhood=personas.street_a_place)


@pytest.fixture
def codes(personas, households) -> dict[int, str]:
    """Household id → its printed join code."""
    issued = join_codes_issue(actor=personas.street_a, neighbourhood=personas.street_a_place)
    return {item.household.pk: item.code for item in issued}


def sms_code() -> str:
    return sms.outbox[-1].params["code"]


@pytest.fixture
def join(client):
    """Walk the two join steps; returns the last response."""

    def _join(code: str, number: str = NUMBER, password: str = "Feiyun-2026!", **extra: Any) -> Any:
        response = client.post("/accounts/join/", {"code": code, "number": number, "consent": "on"})
        if response.status_code != 302:
            return response
        return client.post(
            "/accounts/join/confirm/",
            {"sms_code": extra.get("sms_code") or sms_code(), "password1": password, "password2": password},
        )

    return _join
