"""Bulk CSV and Excel downloads and the catalogue page, fetched as a consumer would."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from renovation.finance.services import disclosure_publish, ledger_entry_record
from tests.factories import ProjectFactory
from tests.tendering.fixtures import AMOUNTS

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(client, slug):
    response = client.get(f"/open-data/{slug}.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(client, slug):
    response = client.get(f"/open-data/{slug}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_projects_download_has_the_ledgers_public_columns_and_defuses_formulas(client, personas):
    ProjectFactory(neighbourhood=personas.street_a_place, name='=HYPERLINK("http://x")', code="RA-1")
    rows = _csv(client, "projects")
    header, (row,) = rows[0], rows[1:]
    assert header[:2] == ["项目编号", "项目名称"]
    assert not any("监督" in column and "问题" in column for column in header)  # staff-only issue counts
    assert row[0] == "RA-1" and row[1] == '\'=HYPERLINK("http://x")'
    assert row[header.index("总投资（元）")] == "800000.00"
    sheet = _xlsx(client, "projects")
    assert sheet[1][:2] == header[:2]
    assert sheet[2][1] == '\'=HYPERLINK("http://x")'


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.streaming
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf") and int(response["Content-Length"]) == len(body)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")))), response.get("Link")


@pytest.mark.parametrize("slug", ["projects", "disclosures"])
def test_the_csv_comes_in_pages_of_a_fixed_size_each_naming_the_next(client, personas, monkeypatch, slug):
    from renovation.opendata import bulk

    monkeypatch.setattr(bulk, "CSV_PAGE_SIZE", 2)
    for number in range(5):
        project = ProjectFactory(neighbourhood=personas.street_a_place, code=f"RA-{number}")
        if slug == "disclosures":
            disclosure_publish(actor=personas.bureau, project=project, year=2023, quarter=1)
    path = f"/open-data/{slug}.csv"
    pages = [_page(client, path), _page(client, f"{path}?page=2"), _page(client, f"{path}?page=3")]
    assert [link for _rows, link in pages] == [f'<{path}?page=2>; rel="next"', f'<{path}?page=3>; rel="next"', None]
    assert all(rows[0] == pages[0][0][0] for rows, _link in pages)  # each page a whole file, with its header
    codes = [row[0] for rows, _link in pages for row in rows[1:]]
    assert [len(rows) - 1 for rows, _link in pages] == [2, 2, 1]
    assert codes == [f"RA-{number}" for number in range(5)]
    assert client.get(f"{path}?page=4").status_code == 404
    assert client.get(f"{path}?page=x").status_code == 404
    assert 'filename="' + slug + '-2.csv"' in client.get(f"{path}?page=2")["Content-Disposition"]


def test_an_empty_dataset_is_a_first_page_of_just_the_header(client, db):
    rows, link = _page(client, "/open-data/disclosures.csv")
    assert len(rows) == 1 and link is None


def test_the_tenders_download_says_nothing_of_bids_before_the_opening(client, tender_cast):
    tender_cast.three_bids()
    rows = _csv(client, "tenders")
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("ocid")] == tender_cast.tender.ocid
    assert row[header.index("投标数（开标后）")] == ""
    text = "\n".join(",".join(line) for line in rows) + str(_xlsx(client, "tenders"))
    assert not [amount for amount in AMOUNTS if f"{amount:.2f}" in text or str(float(amount)) in text]


def test_the_disclosures_download_holds_each_disclosed_quarter(client, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, code="RA-9")
    ledger_entry_record(
        actor=personas.street_a,
        data={
            "project": project,
            "kind": "income",
            "source": "city",
            "amount": Decimal("300000.00"),
            "booked_on": date(2023, 2, 10),
            "counterparty": "瑞安市财政局",
            "purpose": "市级补助",
        },
    )
    disclosure_publish(actor=personas.street_a, project=project, year=2023, quarter=1)
    rows = _csv(client, "disclosures")
    header, (row,) = rows[0], rows[1:]
    assert row[0] == "RA-9"
    assert row[header.index("市级配套资金（元）")] == "300000.00"
    assert row[header.index("期末余额（元）")] == "300000.00"


def test_an_unknown_dataset_is_not_found(client, db):
    assert client.get("/open-data/households.csv").status_code == 404
    assert client.get("/open-data/households.xlsx").status_code == 404


def test_the_catalogue_lists_every_dataset_with_licence_frequency_and_schema(client, tender_cast):
    html = client.get("/open-data/").content.decode()
    for address in (
        "/tenders/ocds.json",
        "/projects/oc4ids.json",
        "/open311/v2/discovery.json",
        "/api/v1/",
        "/api/v1/schema/",
        "/api/v1/schema/redoc/",
        "/tenders/feed/",
        "/open-data/projects.csv",
        "/open-data/tenders.xlsx",
        "/open-data/disclosures.csv",
        "/tenders/open-data/",
        f"/projects/{tender_cast.project.slug}/oc4ids.json",
        f"/projects/{tender_cast.project.slug}/feed/",
        "/streets/anyang/feed/",
    ):
        assert f'href="{address}"' in html, address
    assert html.count('rel="license"') >= 9
    assert "CC BY 4.0" in html and "更新频率" in html and "数据结构" in html
    # Every address of ours on the page answers, the API's and Open311's included.
    ours = sorted(
        {
            address.replace("&amp;", "&")
            for address in re.findall(r'href="(/[^"]*)"', html)
            if not address.startswith(("/static/", "/accounts/", "/admin/"))
        }
    )
    for address in ours:
        assert client.get(address).status_code == 200, address


def test_the_catalogue_speaks_english_too(client, db):
    client.cookies["django_language"] = "en"
    html = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open data" in html and "Licence" in html


@override_settings(OPEN_DATA_LICENCE="https://creativecommons.org/publicdomain/zero/1.0/")
def test_the_licence_setting_reaches_every_format(client, tender_cast):
    assert "CC0 1.0" in client.get("/open-data/").content.decode()
    assert "CC0 1.0" in client.get("/tenders/open-data/").content.decode()
    licence = "https://creativecommons.org/publicdomain/zero/1.0/"
    assert json.loads(_body(client.get(f"/tenders/{tender_cast.tender.pk}/ocds.json")))["license"] == licence
    assert client.get(f"/projects/{tender_cast.project.slug}/oc4ids.json").json()["license"] == licence
    assert f"<rights>{licence}</rights>" in client.get("/tenders/feed/").content.decode()
