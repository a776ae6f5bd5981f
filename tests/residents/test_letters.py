"""Invitation letters (一户一码): street staff print one page per household with a new code and
a QR code, as a print view and a PDF; codes are stored hashed, replaced on reissue."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.consultation.join_services import join_code_check, join_code_hash, join_codes_issue
from renovation.consultation.models import JoinCode
from tests.consultation.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
URL = "/admin/consultation/letters/"


def _print(client, personas, **extra):
    data = {"neighbourhood": personas.street_a_place.pk, "scope": "all", "output": "html", **extra}
    return client.post(URL, data)


def test_it_prints_one_letter_per_household_with_code_and_qr(login, personas, households):
    response = _print(login(personas.street_a), personas)
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert html.count('class="join-letter"') == 3 and html.count("<svg") == 3
    codes = re.findall(r"data-join-code>([A-Z0-9-]+)<", html)
    assert len(codes) == 3 and all(len(code) == 14 for code in codes)
    assert households[0].address in html and "@page" in html and "A4" in html
    for code in codes:
        assert JoinCode.objects.filter(code_hash=join_code_hash(code)).exists()
        assert not JoinCode.objects.filter(code_hash__contains=code.replace("-", "")).exists()


def test_it_makes_a_pdf_with_one_page_per_household(login, personas, households):
    response = _print(login(personas.street_a), personas, output="pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and b"STSong-Light" in body
    assert len(re.findall(rb"/Type /Page\b(?!s)", body)) == 3


def test_it_keeps_street_staff_to_their_own_streets(login, personas, households):
    response = _print(login(personas.street_b), personas)
    assert response.status_code == 400 and not JoinCode.objects.exists()
    with pytest.raises(PermissionDenied, match="您只能为本街道的住户打印告知书"):
        join_codes_issue(actor=personas.street_b, neighbourhood=personas.street_a_place)


def test_it_refuses_residents_and_the_public(client, login, personas, households):
    assert client.post(URL, {"neighbourhood": personas.street_a_place.pk})["Location"].startswith(
        "/admin/login/"
    )  # no admin access: to the sign-in page
    assert _print(login(personas.resident), personas)["Location"].startswith(
        "/admin/login/"
    )  # no admin access: to the sign-in page
    assert not JoinCode.objects.exists()


def test_it_replaces_a_households_code_when_reissued(personas, households, codes):
    old = codes[households[0].pk]
    join_codes_issue(actor=personas.street_a, neighbourhood=personas.street_a_place)
    with pytest.raises(ValidationError) as error:
        join_code_check(code=old, ip=None)
    assert error.value.code == "replaced"
    assert JoinCode.objects.filter(revoked_at__isnull=True, used_at__isnull=True).count() == 3


def test_it_skips_households_with_a_valid_code_when_asked(login, personas, households, codes):
    HouseholdFactory(neighbourhood=personas.street_a_place)
    html = _print(login(personas.street_a), personas, scope="new").content.decode()
    assert html.count('class="join-letter"') == 1


def test_it_prints_for_one_household_by_its_address(login, personas, households):
    household = households[2]
    html = _print(
        login(personas.street_a), personas, building=household.building, unit=household.unit, room=household.room
    ).content.decode()
    assert html.count('class="join-letter"') == 1 and household.address in html


def test_it_prints_in_a_fixed_number_of_queries(login, personas, households):
    client = login(personas.street_a)
    _print(client, personas)  # every household holds a code: each count below replaces them all

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _print(client, personas).status_code == 200
        return len(queries)

    few = count()
    HouseholdFactory.create_batch(5, neighbourhood=personas.street_a_place)
    _print(client, personas)
    assert count() == few
