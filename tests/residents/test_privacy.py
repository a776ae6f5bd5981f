"""Mobile numbers never reach a public page or an export: a crawl with planted numbers."""

import io
import zipfile

import pytest
from django.core import mail

from renovation import sms
from renovation.consultation.models import Household
from renovation.notifications.services import notify
from renovation.sms.services import user_phone_opt_in_set, user_phone_set
from tests.consultation.pages import SECRET_PHONES, consultation_scene
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PLANTED = "13987654321"


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):  # an .xlsx workbook: search every part of it
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return body.decode("utf-8", "replace")


def test_it_keeps_planted_numbers_off_public_pages_and_exports(client, login, personas, households, codes, join):
    project, page = consultation_scene(personas, households=6, code="PV")
    household = Household.objects.filter(neighbourhood=project.neighbourhood).first()
    join(codes[households[0].pk], number=PLANTED)
    client.logout()
    secrets = (PLANTED, "139****4321", *SECRET_PHONES)
    public = [
        "/",
        "/projects/",
        page.url,
        "/tenders/",
        "/accounts/join/",
        "/accounts/login/phone/",
        "/accounts/password/reset/phone/",
        # Open data: OC4IDS, feeds, bulk downloads and the catalogue.
        f"/projects/{project.slug}/oc4ids.json",
        "/projects/oc4ids.json",
        f"/projects/{project.slug}/feed/",
        "/tenders/feed/",
        f"/streets/{project.neighbourhood.community.street.code}/feed/",
        "/open-data/",
        "/open-data/projects.csv",
        "/open-data/projects.xlsx",
        "/open-data/tenders.csv",
        "/open-data/tenders.xlsx",
        "/open-data/disclosures.csv",
        "/open-data/disclosures.xlsx",
        # The open data (tests/api/test_crawls.py crawls every endpoint and row of it).
        "/api/v1/consultation/",
        f"/api/v1/consultation/{project.pk}/",
        "/api/v1/neighbourhoods/",
        "/open311/v2/requests.xml",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        assert not any(secret in text for secret in secrets), url
    staff = login(personas.street_a)
    for url in ["/admin/consultation/satisfaction.xlsx", f"/admin/consultation/{project.pk}/satisfaction.xlsx"]:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert not any(secret in _text(response) for secret in secrets), url
    assert household is not None


def test_it_never_puts_a_number_in_someone_elses_notification(django_capture_on_commit_callbacks):
    owner, other = UserFactory(email="owner@example.org"), UserFactory(email="other@example.org")
    user_phone_set(user=owner, number=PLANTED)
    user_phone_opt_in_set(user=owner, opt_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[owner, other], title="新的议题", url="/consultation/", sms=True)
    assert [message.number for message in sms.outbox] == [PLANTED]
    assert all(PLANTED not in message.body for message in mail.outbox)
