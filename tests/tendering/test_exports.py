"""The opening record and the evaluation table look finished and exist only after the opening."""

from io import BytesIO

from openpyxl import load_workbook

from renovation.tendering import services
from tests.tendering.fixtures import AMOUNTS, open_now


def _book(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_the_opening_record_is_a_finished_workbook(tender_cast, personas, client):
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    client.force_login(personas.street_a)
    response = client.get(f"/admin/tenders/{tender.pk}/opening-record.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = _book(response)["开标记录"]
    assert "开标记录" in sheet["A1"].value and tender.code in sheet["A1"].value
    assert [cell.value for cell in sheet[2]][:4] == ["编号", "投标单位", "统一社会信用代码", "投标报价"]
    assert sheet.freeze_panes == "C3"
    amounts = sorted(row[3].value for row in sheet.iter_rows(min_row=3))
    assert amounts == sorted(float(amount) for amount in AMOUNTS)
    assert sheet["D3"].number_format.endswith('"元"')
    assert len(sheet["I3"].value) == 64  # the digest


def test_the_evaluation_table_ranks_the_bids(tender_cast, personas, client):
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in tender.bids.all()}
    )
    client.force_login(personas.bureau)
    client.cookies["django_language"] = "en"
    response = client.get(f"/admin/tenders/{tender.pk}/evaluation-table.xlsx")
    sheet = _book(response).worksheets[0]
    assert sheet.title == "Evaluation" and sheet["B2"].value == "Bidder"
    ranks = [(row[0].value, row[2].value) for row in sheet.iter_rows(min_row=3)]
    assert ranks == [(1, float(AMOUNTS[1])), (2, float(AMOUNTS[0])), (3, float(AMOUNTS[2]))]


def test_no_export_while_sealed(tender_cast, personas, client):
    tender_cast.three_bids()
    client.force_login(personas.street_a)
    response = client.get(f"/admin/tenders/{tender_cast.tender.pk}/opening-record.xlsx")
    assert response.status_code == 302
