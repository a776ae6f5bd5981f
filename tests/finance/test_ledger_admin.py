"""The finance back office writes through the services and keeps each street to its own projects."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from renovation.finance.models import EntryKind, LedgerEntry, QuarterlyDisclosure, StatementImport, quarter_of
from renovation.finance.services import disclosure_publish, ledger_statement_import_start
from tests.finance.factories import day_in_previous_quarter, previous_quarter
from tests.finance.test_ledger_statement_import import good_rows, statement


def _entry_form(project, **overrides):
    data = {
        "project": project.pk,
        "kind": "payment",
        "source": "",
        "amount": "12000.00",
        "booked_on": timezone.localdate().isoformat(),
        "bank_reference": "W-1",
        "invoice_number": "",
        "counterparty": "瑞安市建筑工程有限公司",
        "purpose": "进度款",
        "contract": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [("street_a", 200, 403), ("street_b", 403, 200), ("bureau", 200, 200)],
)
def test_it_shows_each_street_only_its_projects_finance(login, personas, books, persona, own, other):
    client = login(getattr(personas, persona))
    assert client.get(reverse("finance_project", args=[books.project.pk])).status_code == own
    assert client.get(reverse("finance_project", args=[books.other_project.pk])).status_code == other


def test_it_keeps_residents_and_the_public_out(client, login, personas, books):
    url = reverse("finance_project", args=[books.project.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    assert (
        login(personas.resident).get(url)["Location"].startswith("/admin/login/")
    )  # no admin access: to the sign-in page


def test_it_records_an_entry_through_the_service(login, personas, books):
    response = login(personas.street_a).post(
        reverse("ledger:add"), _entry_form(books.project, contract=books.contract.pk)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = LedgerEntry.objects.get()
    assert (entry.contract, entry.recorded_by) == (books.contract, personas.street_a)
    assert entry.history.get().history_change_reason == "ledger_entry_record"


def test_it_shows_the_reconciliation_refusal_on_the_form(login, personas, books):
    response = login(personas.street_a).post(
        reverse("ledger:add"), _entry_form(books.project, contract=books.contract.pk, amount="1000000.01")
    )
    assert response.status_code == 200
    assert "HT-001" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_it_refuses_another_streets_project_in_the_form(login, personas, books):
    response = login(personas.street_b).post(reverse("ledger:add"), _entry_form(books.project))
    assert response.status_code == 200
    assert "project" in response.context["form"].errors  # the project is not among the choices
    assert not LedgerEntry.objects.exists()


def test_it_refuses_an_edit_after_disclosure_with_the_reason(login, personas, books, record):
    entry = record(books.project, booked_on=day_in_previous_quarter())
    year, quarter = previous_quarter()
    disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    form = _entry_form(books.project, amount="1.00", booked_on=entry.booked_on.isoformat(), bank_reference="")
    response = login(personas.street_a).post(reverse("ledger:edit", args=[entry.pk]), form)
    assert "录入更正分录" in response.content.decode()
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000.00")


def test_it_records_a_correction_from_the_correct_page(login, personas, books, record):
    entry = record(books.project, amount=Decimal("5000"))
    response = login(personas.street_a).post(
        reverse("finance_entry_correct", args=[entry.pk]), {"amount": "-500", "reason": "发票金额有误"}
    )
    assert response.status_code == 302
    correction = LedgerEntry.objects.get(corrects=entry)
    assert (correction.amount, correction.note) == (Decimal("-500"), "发票金额有误")


def test_it_shows_the_reason_a_correction_is_refused(login, personas, books, record):
    entry = record(books.project, amount=Decimal("5000"))
    response = login(personas.street_a).post(
        reverse("finance_entry_correct", args=[entry.pk]), {"amount": "-6000", "reason": "退款"}
    )
    assert response.status_code == 400
    assert "不能低于零" in response.content.decode()


def test_it_lets_no_other_street_correct(login, personas, books, record):
    entry = record(books.project)
    response = login(personas.street_b).post(
        reverse("finance_entry_correct", args=[entry.pk]), {"amount": "-1", "reason": "x"}
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == 1


def test_it_publishes_a_quarter_and_refuses_one_not_ended(login, personas, books, record):
    record(books.project, kind=EntryKind.INCOME, booked_on=day_in_previous_quarter())
    client = login(personas.street_a)
    url = reverse("finance_disclosure_publish", args=[books.project.pk])
    year, quarter = previous_quarter()
    assert client.post(url, {"year": year, "quarter": quarter}).status_code == 302
    assert QuarterlyDisclosure.objects.get().income_city == Decimal("1000.00")
    now_year, now_quarter = quarter_of(timezone.localdate())
    response = client.post(url, {"year": now_year, "quarter": now_quarter})
    assert response.status_code == 400
    assert "尚未结束" in response.content.decode()


def _upload_and_run(client, url, workbook):
    """Post the upload, follow to the import's page, let the job run (what the worker does)."""
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(url, {"workbook": workbook})
    assert response.status_code == 302
    waiting = client.get(response["Location"]).content.decode()
    assert "等待后台进程" in waiting  # the request only queued it
    (run_the_job,) = queued
    run_the_job()
    return client.get(response["Location"])


def test_it_imports_a_statement_and_says_what_it_skipped(login, personas, books):
    client = login(personas.street_a)
    url = reverse("finance_statement_import", args=[books.project.pk])
    first = _upload_and_run(client, url, statement(good_rows())).content.decode()
    assert "已导入 3 条" in first
    html = _upload_and_run(client, url, statement(good_rows())).content.decode()
    assert "B-001" in html and "已记录" in html
    assert LedgerEntry.objects.count() == 3
    assert "最近导入记录" in client.get(url).content.decode()  # the upload page lists both imports


def test_it_lists_the_problems_and_offers_the_marked_workbook(login, personas, books):
    rows = [[timezone.localdate(), "转账", 1, "某公司", "进度款", "R-1", "", "", ""]]
    client = login(personas.street_a)
    page = _upload_and_run(client, reverse("finance_statement_import", args=[books.project.pk]), statement(rows))
    html = page.content.decode()
    assert "B 收支方向" in html and "未导入任何数据" in html
    record = StatementImport.objects.get()
    download = reverse("finance_statement_import_annotated", args=[record.pk])
    assert download in html and "data:" not in html
    marked = client.get(download)
    assert marked.status_code == 200 and marked["Cache-Control"].startswith("private, no-store")
    assert load_workbook(io.BytesIO(b"".join(marked.streaming_content))).sheetnames[0] == "错误清单"
    assert not LedgerEntry.objects.exists()


def test_it_refuses_a_file_that_is_not_a_workbook_on_the_page(login, personas, books):
    response = login(personas.street_a).post(
        reverse("finance_statement_import", args=[books.project.pk]),
        {"workbook": SimpleUploadedFile("x.xlsx", io.BytesIO(b"hello").getvalue())},
    )
    assert response.status_code == 400
    assert "xlsx" in response.content.decode()
    assert not StatementImport.objects.exists()


@pytest.mark.parametrize("persona", ["street_b", "resident"])
def test_the_import_pages_refuse_other_streets_and_residents(login, personas, books, persona):
    rows = [[timezone.localdate(), "转账", 1, "某公司", "进度款", "R-1", "", "", ""]]
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = ledger_statement_import_start(actor=personas.street_a, project=books.project, upload=statement(rows))
    client = login(getattr(personas, persona))
    for name in ("finance_statement_import_detail", "finance_statement_import_annotated"):
        response = client.get(reverse(name, args=[record.pk]))
        if persona == "street_b":
            assert response.status_code == 403, name
        else:  # not staff: the admin sends them to sign in
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), name
        assert "B 收支方向" not in response.content.decode()


def test_the_import_page_refuses_anonymous_visitors(client, personas, books):
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = ledger_statement_import_start(
            actor=personas.street_a, project=books.project, upload=statement(good_rows())
        )
    response = client.get(reverse("finance_statement_import_detail", args=[record.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_bureau_follows_any_streets_import(login, personas, books):
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = ledger_statement_import_start(
            actor=personas.street_a, project=books.project, upload=statement(good_rows())
        )
    page = login(personas.bureau).get(reverse("finance_statement_import_detail", args=[record.pk]))
    assert page.status_code == 200 and "已导入" in page.content.decode()


def test_it_downloads_the_template(login, personas):
    response = login(personas.street_a).get(reverse("finance_statement_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["finance_project", "ledger:index"])
def test_its_pages_do_not_grow_in_queries_with_entries(login, personas, books, record, url_name):
    client = login(personas.street_a)
    url = reverse(url_name, args=[books.project.pk]) if url_name == "finance_project" else reverse(url_name)
    record(books.project, contract=books.contract)
    client.get(url)
    few = _count(client, url)
    for n in range(20):
        record(books.project, contract=books.contract, bank_reference=f"Q-{n}")
        record(books.project, kind=EntryKind.INCOME)
    assert _count(client, url) == few


def test_it_shows_an_entrys_history_with_who_and_which_operation(login, personas, books, record):
    entry = record(books.project, amount=Decimal("5000"))
    client = login(personas.street_a)
    form = _entry_form(books.project, amount="4500.00", bank_reference="")
    assert client.post(reverse("ledger:edit", args=[entry.pk]), form).status_code == 302
    html = client.get(reverse("ledger:history", args=[entry.pk])).content.decode()
    assert "修改资金台账" in html and "录入资金台账" in html
    assert "5000.00 → 4500.00" in html
    assert login(personas.street_b).get(reverse("ledger:history", args=[entry.pk])).status_code == 403


def test_an_empty_publish_form_says_what_is_missing(login, personas, books):
    url = reverse("finance_disclosure_publish", args=[books.project.pk])
    response = login(personas.street_a).post(url, {})
    assert response.status_code == 400
    assert not QuarterlyDisclosure.objects.exists()


def test_the_import_page_does_not_grow_in_queries_with_problems(login, personas, books):
    client = login(personas.street_a)
    counts = []
    for size in (1, 20):
        rows = [[timezone.localdate(), "转账", 1, "某公司", "进度款", f"R-{size}-{n}", "", "", ""] for n in range(size)]
        with TestCase.captureOnCommitCallbacks(execute=True):
            record = ledger_statement_import_start(
                actor=personas.street_a, project=books.project, upload=statement(rows)
            )
        record.refresh_from_db()
        assert len(record.errors) == size
        url = reverse("finance_statement_import_detail", args=[record.pk])
        client.get(url)
        counts.append(_count(client, url))
    assert counts[0] == counts[1]
