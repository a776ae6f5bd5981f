"""The quarterly finance disclosure (季度财务公开表) on the admin's reports page."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renovation.finance.models import EntryKind, IncomeSource, quarter_of
from renovation.finance.services import disclosure_publish, ledger_entry_correct
from tests.factories import ProjectFactory
from tests.finance.factories import contract_for, day_in_previous_quarter, previous_quarter
from tests.reports.conftest import header_of, read_xlsx, rows_of

URL = "renovation_reports:finance_disclosure"


@pytest.fixture
def quarter(books, personas, record):
    record(
        books.project,
        kind=EntryKind.INCOME,
        source=IncomeSource.RESIDENT,
        amount=Decimal("3000"),
        booked_on=day_in_previous_quarter(),
        counterparty="李秀英 居民",
    )
    record(
        books.project,
        kind=EntryKind.INCOME,
        source=IncomeSource.CITY,
        amount=Decimal("400000"),
        booked_on=day_in_previous_quarter(1),
    )
    payment = record(
        books.project,
        amount=Decimal("150000.50"),
        booked_on=day_in_previous_quarter(2),
        contract=books.contract,
        bank_reference="B-1",
        invoice_number="FP-1",
    )
    record(
        books.other_project,
        actor=personas.street_b,
        kind=EntryKind.INCOME,
        source=IncomeSource.CENTRAL,
        amount=Decimal("90000"),
        booked_on=day_in_previous_quarter(),
    )
    return (*previous_quarter(), payment)


def _download(client, **query):
    response = client.get(reverse(URL), query)
    assert response.status_code == 200, response.content[:1000] if not response.streaming else ""
    return read_xlsx(response)


def _rows_by_code(sheet):
    header = header_of(sheet)
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows_of(sheet)}


def test_it_lists_each_projects_quarter_and_its_entries(login, personas, quarter):
    year, q, _payment = quarter
    book = _download(login(personas.bureau), year=year, quarter=q)
    summary, entries = book.worksheets
    rows = _rows_by_code(summary)
    feiyun = rows["RA-2026-01"]
    assert feiyun["居民出资"] == 3000
    assert feiyun["市级配套"] == 400000
    assert feiyun["支出（元）"] == pytest.approx(150000.50)
    assert feiyun["期末余额（元）"] == pytest.approx(252999.50)
    assert feiyun["公开日期"] == "尚未公开"
    assert rows["合计"]["收入（元）"] == 493000
    assert f"{year}Q{q}" in summary["A1"].value
    assert summary["F3"].number_format == '#,##0.00 "元"'
    assert len(rows_of(entries)) == 4
    by_reference = {row[8]: row for row in rows_of(entries)}
    assert by_reference["B-1"][6] == "HT-001"
    assert isinstance(by_reference["B-1"][1], datetime)


def test_it_exports_a_disclosed_quarter_from_its_frozen_figures(login, personas, quarter):
    year, q, payment = quarter
    disclosure = disclosure_publish(actor=personas.bureau, project=payment.project, year=year, quarter=q)
    ledger_entry_correct(actor=personas.bureau, entry=payment, amount=Decimal("-50000"), reason="多付")
    feiyun = _rows_by_code(_download(login(personas.bureau), year=year, quarter=q).worksheets[0])["RA-2026-01"]
    assert feiyun["公开日期"] == disclosure.published_at.date().isoformat()
    assert feiyun["支出（元）"] == pytest.approx(150000.50)


def test_it_keeps_residents_names_out(login, personas, quarter):
    year, q, _payment = quarter
    book = _download(login(personas.bureau), year=year, quarter=q)
    cells = [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert not any("李秀英" in cell for cell in cells)
    assert "居民（汇总）" in cells


def test_it_shows_street_staff_only_their_street(login, personas, quarter):
    year, q, _payment = quarter
    rows = _rows_by_code(_download(login(personas.street_b), year=year, quarter=q).worksheets[0])
    assert set(rows) == {"RA-2026-02", "合计"}


def test_it_refuses_street_staff_another_streets_filter(login, personas, quarter):
    year, q, _payment = quarter
    response = login(personas.street_b).get(reverse(URL), {"year": year, "quarter": q, "street": "anyang"})
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["resident", None])
def test_it_refuses_everyone_but_staff(client, login, personas, quarter, persona):
    year, q, _payment = quarter
    if persona:
        login(getattr(personas, persona))
    response = client.get(reverse(URL), {"year": year, "quarter": q})
    assert response["Location"].startswith("/admin/login/")  # no admin access: to the sign-in page
    assert not response.has_header("Content-Disposition")


def _queries(client, year, q) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(URL), {"year": year, "quarter": q})
        b"".join(response.streaming_content)
    return len(queries)


def test_its_query_count_does_not_grow_with_projects_or_entries(login, personas, record):
    client = login(personas.bureau)
    year, q = previous_quarter()

    def add(n: int) -> None:
        for _i in range(n):
            project = ProjectFactory(neighbourhood=personas.street_a_place)
            contract = contract_for(project)
            record(project, contract=contract, booked_on=day_in_previous_quarter())
            record(project, kind=EntryKind.INCOME, booked_on=day_in_previous_quarter(1))

    add(2)
    client.get(reverse("renovation_reports:index"))
    few = _queries(client, year, q)
    add(20)
    assert _queries(client, year, q) == few


def test_it_refuses_a_quarter_that_has_not_begun(login, personas):
    year, quarter = quarter_of(timezone.localdate())
    year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    response = login(personas.bureau).get(reverse(URL), {"year": year, "quarter": quarter})
    assert response.status_code == 400
    assert "已经开始的季度" in response.content.decode()


def test_it_speaks_english_when_the_admin_does(login, personas, quarter):
    from django.utils import translation

    year, q, _payment = quarter
    with translation.override("en"):
        client = login(personas.bureau)
        client.cookies["django_language"] = "en"
        response = client.get(reverse(URL), {"year": year, "quarter": q})
    sheet = read_xlsx(response).worksheets[0]
    assert "Closing balance (yuan)" in header_of(sheet)
