"""No open-data format carries personal data: a crawl of every format over a project with a
household register (contact names and phones planted) and a tender whose companies have contact
persons, through award, contract and payment."""

from __future__ import annotations

import pytest

from tests.consultation.pages import SECRET_NAMES, SECRET_PHONES, consultation_scene
from tests.opendata.test_bulk_and_catalogue import _body
from tests.tendering.test_ocds import _lifecycle

pytestmark = pytest.mark.django_db

COMPANY_CONTACTS = ("王经理", "0577-65880000")  # tests/tendering/fixtures.py gives every bidder these


def _text(response) -> str:
    import io
    import zipfile

    body = _body(response)
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return body.decode("utf-8", "replace")


def test_no_open_data_format_names_a_person_or_a_phone(client, personas, tender_cast, site_tree):
    project, _page = consultation_scene(personas, households=6, code="OD")
    tender, _contract = _lifecycle(tender_cast, personas)
    secrets = (*SECRET_NAMES, *SECRET_PHONES, *COMPANY_CONTACTS, "staff_a", "bureau")
    urls = [
        "/open-data/",
        "/projects/oc4ids.json",
        "/tenders/feed/",
        "/streets/anyang/feed/",
        *(
            f"/projects/{slug}/{suffix}"
            for slug in (project.slug, tender.project.slug)
            for suffix in ("oc4ids.json", "feed/")
        ),
        *(f"/open-data/{name}.{fmt}" for name in ("projects", "tenders", "disclosures") for fmt in ("csv", "xlsx")),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{leaked} at {url}"
    # The crawl reached what it guards: the winner is named in the feeds and the packages.
    assert tender.award.bidder.name in _text(client.get("/tenders/feed/"))
