"""Importing the bank agent's statement: the upload is checked and queued, the worker checks every
row and writes all or nothing, idempotent. Here the job runs as the upload's transaction commits
(the immediate backend), as the plan-import tests run theirs."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from renovation.finance.models import EntryKind, LedgerEntry, StatementImport
from renovation.finance.services import disclosure_publish, ledger_statement_import_start
from renovation.finance.statement import COLUMNS, SHEET, statement_template
from tests.finance.factories import day_in_previous_quarter, previous_quarter

HEADERS = [column.header for column in COLUMNS]


def statement(rows, headers=HEADERS, name="流水.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def ledger_statement_import(*, actor, project, upload) -> StatementImport:
    """Upload and let the import job run (the immediate backend runs it as the upload commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = ledger_statement_import_start(actor=actor, project=project, upload=upload)
    record.refresh_from_db()
    return record


def good_rows():
    today = timezone.localdate()
    return [
        [today, "收入", 500000, "瑞安市财政局", "中央补助第一批", "B-001", "", "", "中央补助"],
        [today, "收入", 30000, "飞云花园业委会", "居民出资汇总", "B-002", "", "", "居民出资"],
        [today, "支出", "200,000.50", "瑞安市建筑工程有限公司", "进度款", "B-003", "FP-9", "HT-001", ""],
    ]


def test_it_imports_every_row_with_history(books, personas):
    result = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(good_rows()))
    assert (result.status, result.created_count, result.errors) == ("done", 3, [])
    payment = LedgerEntry.objects.get(bank_reference="B-003")
    assert (payment.kind, payment.amount, payment.contract) == (EntryKind.PAYMENT, Decimal("200000.50"), books.contract)
    assert LedgerEntry.objects.get(bank_reference="B-002").source == "resident"
    record = payment.history.get()
    assert (record.history_change_reason, record.history_user) == ("ledger_entry_import", personas.street_a)


def test_it_adds_nothing_twice_when_the_same_statement_comes_again(books, personas):
    ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(good_rows()))
    later = [*good_rows(), [timezone.localdate(), "支出", 1000, "瑞安市监理公司", "监理费", "B-004", "", "", ""]]
    result = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(later))
    assert result.created_count == 1
    assert [reference for _row, reference in result.already_recorded] == ["B-001", "B-002", "B-003"]
    assert LedgerEntry.objects.count() == 4


def _problems(books, personas, rows, **kwargs):
    result = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(rows, **kwargs))
    assert (result.status, result.created_count) == ("rejected", 0)
    assert not LedgerEntry.objects.exists()
    return result


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ([None, "收入", 1, "财政局", "补助", "R1", "", "", "中央补助"], "A 日期", "必填"),
        (["2026-13-40", "收入", 1, "财政局", "补助", "R1", "", "", "中央补助"], "A 日期", "日期"),
        (["today", "转账", 1, "财政局", "补助", "R1", "", "", "中央补助"], "B 收支方向", "收入"),
        (["today", "收入", "一百", "财政局", "补助", "R1", "", "", "中央补助"], "C 金额（元）", "数字"),
        (["today", "收入", -5, "财政局", "补助", "R1", "", "", "中央补助"], "C 金额（元）", "负"),
        (["today", "收入", 0, "财政局", "补助", "R1", "", "", "中央补助"], "C 金额（元）", "大于零"),
        (["today", "收入", 10**13, "财政局", "补助", "R1", "", "", "中央补助"], "C 金额（元）", "过大"),
        (["today", "收入", "1e30", "财政局", "补助", "R1", "", "", "中央补助"], "C 金额（元）", "过大"),
        (["today", "收入", 1, "财政局", "补助", None, "", "", "中央补助"], "F 银行流水号", "必填"),
        (["today", "收入", 1, "财政局", "补助", "R1", "", "", None], "I 资金来源", "资金来源"),
        (["today", "收入", 1, "财政局", "补助", "R1", "", "", "彩票"], "I 资金来源", "中央补助"),
        (["today", "收入", 1, "财政局", "补助", "R1", "", "HT-001", "市级配套"], "H 合同编号", "合同"),
        (["today", "支出", 1, "某公司", "进度款", "R1", "", "HT-999", ""], "H 合同编号", "没有这个编号"),
        (["today", "支出", 1, "张三 13912345678", "退款", "R1", "", "", ""], "D 对方单位", "电话"),
        (["tomorrow", "支出", 1, "某公司", "进度款", "R1", "", "", ""], "A 日期", "未来"),
    ],
)
def test_it_reports_each_bad_cell_and_imports_nothing(books, personas, row, column, message):
    today = timezone.localdate()
    row = [{"today": today, "tomorrow": today + timedelta(days=1)}.get(row[0], row[0]), *row[1:]]
    result = _problems(books, personas, [good_rows()[0], row])
    assert [(problem["row"], problem["column"]) for problem in result.errors] == [(3, column)]
    assert message in result.errors[0]["message"]
    marked = load_workbook(io.BytesIO(result.annotated.read()))
    assert marked.sheetnames[0] == "错误清单"
    assert marked[SHEET][result.errors[0]["cell"]].comment is not None


def test_it_reports_a_reference_twice_in_the_file(books, personas):
    rows = good_rows()
    rows[2][5] = "B-001"
    result = _problems(books, personas, rows)
    assert [(problem["row"], problem["code"]) for problem in result.errors] == [(4, "duplicate_reference")]


def test_it_refuses_payments_that_together_overrun_the_contract(books, personas):
    today = timezone.localdate()
    rows = [
        [today, "支出", 600000, "瑞安市建筑工程有限公司", "进度款", "P-1", "", "HT-001", ""],
        [today, "支出", "400000.01", "瑞安市建筑工程有限公司", "进度款", "P-2", "", "HT-001", ""],
    ]
    result = _problems(books, personas, rows)
    assert [(problem["row"], problem["code"]) for problem in result.errors] == [(3, "overrun")]
    assert "1,000,000.01 元" in result.errors[0]["message"]


def test_it_refuses_rows_dated_in_a_disclosed_quarter(books, personas, record):
    record(books.project, booked_on=day_in_previous_quarter())
    year, quarter = previous_quarter()
    disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    rows = [[day_in_previous_quarter(3), "支出", 5, "某公司", "进度款", "L-1", "", "", ""]]
    result = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(rows))
    assert [problem["code"] for problem in result.errors] == ["locked"]
    assert LedgerEntry.objects.count() == 1


def test_it_names_missing_columns(books, personas):
    result = _problems(books, personas, [], headers=HEADERS[:4])
    assert "银行流水号" in result.errors[0]["message"]


def test_it_refuses_a_file_that_is_not_a_workbook(books, personas):
    with pytest.raises(ValidationError) as error:
        ledger_statement_import(
            actor=personas.street_a, project=books.project, upload=SimpleUploadedFile("流水.xlsx", b"not a zip")
        )
    assert error.value.code == "not_a_workbook" and "xlsx" in error.value.messages[0]
    assert not StatementImport.objects.exists()  # refused at once: nothing queued, nothing kept


def test_it_reads_its_own_template_and_skips_the_examples(books, personas):
    upload = SimpleUploadedFile("模板.xlsx", statement_template())
    result = ledger_statement_import(actor=personas.street_a, project=books.project, upload=upload)
    assert (result.status, result.created_count, result.errors) == ("done", 0, [])


@pytest.mark.parametrize("persona", ["street_b", "resident"])
def test_it_lets_no_one_else_import(books, personas, persona):
    with pytest.raises(PermissionDenied):
        ledger_statement_import(actor=getattr(personas, persona), project=books.project, upload=statement(good_rows()))
    assert not LedgerEntry.objects.exists() and not StatementImport.objects.exists()


def test_it_reports_a_recorded_reference_that_comes_back_with_other_figures(books, personas):
    ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(good_rows()))
    rows = good_rows()
    rows[0][2] = 499000
    result = _problems_after_first_import(books, personas, rows)
    assert [(problem["row"], problem["code"]) for problem in result.errors] == [(2, "recorded_differently")]
    assert "500,000.00 元" in result.errors[0]["message"]
    assert "更正" in result.errors[0]["message"]


def _problems_after_first_import(books, personas, rows):
    before = LedgerEntry.objects.count()
    result = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(rows))
    assert (result.status, result.created_count) == ("rejected", 0)
    assert LedgerEntry.objects.count() == before
    return result


def test_it_refuses_a_zip_that_only_looks_like_a_workbook(books, personas):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    upload = SimpleUploadedFile("流水.xlsx", buffer.getvalue())
    record = ledger_statement_import(actor=personas.street_a, project=books.project, upload=upload)
    assert record.status == "rejected" and "无法" in record.errors[0]["message"]  # found by the job, not the request
    assert not LedgerEntry.objects.exists()


def test_it_forgets_the_upload_once_the_import_has_its_answer(books, personas):
    with TestCase.captureOnCommitCallbacks(execute=False):  # queued: the upload waits for the worker
        queued = ledger_statement_import_start(actor=personas.street_a, project=books.project, upload=statement([]))
    stored = queued.workbook.name
    assert queued.workbook.storage.exists(stored) and len(stored.rsplit("/", 1)[-1]) > len("statement-.xlsx") + 20
    record = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(good_rows()))
    assert record.status == "done" and not record.workbook


def test_a_failure_half_way_leaves_nothing_and_the_retry_imports(books, personas, monkeypatch, caplog):
    with TestCase.captureOnCommitCallbacks(execute=False):
        record = ledger_statement_import_start(
            actor=personas.street_a, project=books.project, upload=statement(good_rows())
        )

    def broken(*args, **kwargs):  # after the entries are inserted, publishing the payments breaks
        raise RuntimeError(f"contracts {kwargs['payments']} could not be published")

    monkeypatch.setattr("renovation.finance.services.contract_payments_publish", broken)
    from renovation.finance.services import ledger_statement_import_run
    from renovation.jobs.failures import ImportStopped

    with caplog.at_level("DEBUG"), pytest.raises(ImportStopped) as stopped:
        ledger_statement_import_run(import_id=record.pk)
    assert str(stopped.value) == f"bank statement import {record.pk} stopped with RuntimeError"
    assert "RuntimeError" in caplog.text and "datetime.date(" not in caplog.text  # the message is withheld
    record.refresh_from_db()
    assert record.status == "failed" and "未作任何更改" in record.errors[0]["message"]
    assert not LedgerEntry.objects.exists() and not LedgerEntry.history.exists()
    assert record.workbook  # kept for the retry
    monkeypatch.undo()
    assert ledger_statement_import_run(import_id=record.pk).status == "done"
    assert LedgerEntry.objects.count() == 3


def test_a_second_run_of_a_finished_import_changes_nothing(books, personas):
    from renovation.finance.services import ledger_statement_import_run

    record = ledger_statement_import(actor=personas.street_a, project=books.project, upload=statement(good_rows()))
    again = ledger_statement_import_run(import_id=record.pk)
    assert (again.status, again.created_count) == ("done", 3)
    assert LedgerEntry.objects.count() == 3 and LedgerEntry.history.count() == 3


def test_an_interrupted_import_runs_again_from_the_start(books, personas):
    """The worker died half-way: the record says "running", nothing was committed."""
    from renovation.finance.services import ledger_statement_import_run

    with TestCase.captureOnCommitCallbacks(execute=False):
        record = ledger_statement_import_start(
            actor=personas.street_a, project=books.project, upload=statement(good_rows())
        )
    StatementImport.objects.filter(pk=record.pk).update(status=StatementImport.Status.RUNNING)
    assert ledger_statement_import_run(import_id=record.pk).created_count == 3
    assert LedgerEntry.objects.count() == 3


def test_an_uploader_moved_to_another_street_before_the_job_ran_imports_nothing(books, personas):
    from renovation.finance.services import ledger_statement_import_run

    with TestCase.captureOnCommitCallbacks(execute=False):
        record = ledger_statement_import_start(
            actor=personas.street_a, project=books.project, upload=statement(good_rows())
        )
    StatementImport.objects.filter(pk=record.pk).update(uploaded_by=personas.street_b)
    done = ledger_statement_import_run(import_id=record.pk)
    assert done.status == "rejected" and "本街道" in done.errors[0]["message"]
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_survives_the_request_and_the_worker_runs_it(client, books, personas, settings):
    from django.urls import reverse
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tests.jobs.workers import in_process_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "clock"]}}
    client.force_login(personas.street_a)
    url = reverse("finance_statement_import", args=[books.project.pk])
    response = client.post(url, {"workbook": statement(good_rows())})
    assert response.status_code == 302  # the request is over; its transaction committed the job
    job = DBTaskResult.objects.get(task_path="renovation.finance.tasks.ledger_statement_import")
    record = StatementImport.objects.get()
    assert (job.status, record.status, str(record.job_id)) == (TaskResultStatus.READY, "queued", str(job.pk))
    assert not LedgerEntry.objects.exists()

    in_process_worker().run()

    job.refresh_from_db()
    record.refresh_from_db()
    assert (job.status, job.return_value) == (TaskResultStatus.SUCCESSFUL, "done")
    assert record.created_count == 3 and LedgerEntry.objects.filter(project=books.project).count() == 3


def test_a_run_that_read_the_import_before_another_run_finished_it_leaves_it_done(books, personas, monkeypatch):
    """Two runs of one job at once (a worker's lease lapsed while it still ran): the one that read
    the record first and resumes after the other finished must not turn "done" into "running" and
    then "failed" (its upload already gone) — the entries are in, the page must say so."""
    from renovation.finance.services import ledger_statement_import_run

    with TestCase.captureOnCommitCallbacks(execute=False):
        record = ledger_statement_import_start(
            actor=personas.street_a, project=books.project, upload=statement(good_rows())
        )
    stale = StatementImport.objects.select_related("uploaded_by", "project").get(pk=record.pk)  # the slow run's read
    assert ledger_statement_import_run(import_id=record.pk).status == StatementImport.Status.DONE

    class Stale:
        def get(self, **lookup):
            return stale

    with monkeypatch.context() as patch:
        patch.setattr(StatementImport.objects, "select_related", lambda *names: Stale())
        ledger_statement_import_run(import_id=record.pk)
    record.refresh_from_db()
    assert (record.status, record.created_count) == (StatementImport.Status.DONE, 3)
    assert LedgerEntry.objects.count() == 3
