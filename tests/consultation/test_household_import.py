"""Importing the household register from Excel: the upload is checked and queued, the worker
checks every row and writes all or nothing, idempotent. Here the job runs as the upload's
transaction commits (the immediate backend), as the plan-import tests run theirs."""

import io
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from renovation.consultation.models import Household, HouseholdImport
from renovation.consultation.register import SHEET, register_template
from renovation.consultation.services import household_import_start
from tests.planning.conftest import upload, zipped


def register_workbook(rows: list[list[Any]], *, sheet: str = SHEET) -> bytes:
    workbook = load_workbook(io.BytesIO(register_template()))
    target = workbook[SHEET]
    target.title = sheet
    for row in rows:
        target.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def row(building: Any = "1", room: Any = "101", **overrides: Any) -> list[Any]:
    values = {
        "street": None,
        "community": "社区X",
        "neighbourhood": "飞云花园",
        "building": building,
        "unit": "1",
        "room": room,
        "area": 86.5,
        "name": "张三",
        "phone": "13800000001",
    }
    values.update(overrides)
    return list(values.values())


@pytest.fixture
def feiyun(personas):
    place = personas.street_a_place
    place.community.name = "社区X"
    place.community.save()
    return place


def _import(actor, rows, **kwargs) -> HouseholdImport:
    """Upload and let the import job run (the immediate backend runs it as the upload commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = household_import_start(actor=actor, upload=upload(register_workbook(rows, **kwargs), "住户名册.xlsx"))
    record.refresh_from_db()
    return record


def test_it_imports_every_row_with_history(personas, feiyun):
    record = _import(personas.street_a, [row("1", "101"), row("1", "102", unit=None, area=None, phone="0577-65812345")])
    assert record.status == "done" and record.summary == {"created": 2, "updated": 0, "unchanged": 0}
    households = Household.objects.filter(neighbourhood=feiyun).order_by("room")
    assert [(h.building, h.unit, h.room) for h in households] == [("1", "1", "101"), ("1", "", "102")]
    assert households[0].history.get().history_change_reason == "household_import"
    assert households[0].history.get().history_user == personas.street_a


def test_it_changes_nothing_when_the_same_file_comes_again(personas, feiyun):
    rows = [row("1", "101"), row("2", "201")]
    _import(personas.street_a, rows)
    again = _import(personas.street_a, rows)
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 2}
    assert Household.history.count() == 2


def test_it_updates_a_changed_row_matched_by_its_address(personas, feiyun):
    _import(personas.street_a, [row("1", "101")])
    record = _import(personas.street_a, [row("1", "101", phone="13900000002")])
    assert record.summary == {"created": 0, "updated": 1, "unchanged": 0}
    household = Household.objects.get()
    assert household.phone == "13900000002"
    assert household.history.count() == 2


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        (row(building=None), "D 楼栋", "必填"),
        (row(area="八十"), "G 建筑面积（m²）", "数字"),
        (row(area=-3), "G 建筑面积（m²）", "负"),
        (row(area=12_000_000), "G 建筑面积（m²）", "10,000"),
        (row(phone="12345"), "I 联系电话", "手机"),
        (row(neighbourhood="不存在小区"), "C 小区", "小区"),
        (row(room="1" * 20), "F 室号", "过长"),
    ],
)
def test_it_refuses_the_whole_file_naming_row_column_and_problem(personas, feiyun, bad, column, message):
    record = _import(personas.street_a, [row("9", "901"), bad])
    assert record.status == "rejected"
    assert not Household.objects.exists()
    [error] = record.errors
    assert (error["row"], error["column"]) == (4, column)  # header, example row, a good row, then the bad one
    assert message in error["message"]
    marked = load_workbook(io.BytesIO(record.annotated.read()))
    assert marked.sheetnames[0] == "错误清单"
    assert marked[SHEET][error["cell"]].comment is not None


def test_it_refuses_a_household_twice_in_the_file(personas, feiyun):
    record = _import(personas.street_a, [row("1", "101"), row("1", "101", name="李四")])
    assert record.status == "rejected"
    assert record.errors[0]["row"] == 4 and "两次" in record.errors[0]["message"]


def test_it_treats_another_streets_neighbourhood_as_unknown(personas, feiyun):
    record = _import(personas.street_b, [row("1", "101")])
    assert record.status == "rejected" and not Household.objects.exists()


def test_it_names_a_renamed_sheet_or_column(personas, feiyun):
    record = _import(personas.street_a, [row()], sheet="Sheet1")
    assert record.status == "rejected" and "住户名册" in record.errors[0]["message"]


@pytest.mark.parametrize(
    "content",
    [
        b"not a zip",
        zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"\0" * 10}),
        zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/bomb.xml": b"0" * 30_000_000}),
    ],
)
def test_it_refuses_files_that_are_not_plain_workbooks(login, personas, content):
    response = login(personas.street_a).post(
        reverse("consultation_register_import"), {"workbook": upload(content, "x.xlsx")}
    )
    assert response.status_code == 400
    assert not HouseholdImport.objects.exists()


def test_it_offers_the_template_and_shows_the_errors_on_the_page(login, personas, feiyun):
    client = login(personas.street_a)
    template = client.get(reverse("consultation_register_template"))
    assert template.status_code == 200 and SHEET in load_workbook(io.BytesIO(template.content)).sheetnames
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("consultation_register_import"), {"workbook": upload(register_workbook([row(phone="1")]))}
        )
    page = client.get(response["Location"]).content.decode()
    assert "I 联系电话" in page and "未导入任何数据" in page
    record = HouseholdImport.objects.get()
    annotated = client.get(reverse("consultation_register_import_annotated", args=[record.pk]))
    assert annotated.status_code == 200


def test_it_keeps_residents_and_other_streets_out_of_the_import(login, personas, feiyun):
    record = _import(personas.street_a, [row()])
    assert (
        login(personas.street_b).get(reverse("consultation_register_import_detail", args=[record.pk])).status_code
        == 404
    )
    assert login(personas.resident).get(reverse("consultation_register_import")).status_code == 302


def test_it_keeps_no_copy_of_a_good_register_and_an_unguessable_one_of_a_bad_one(personas, feiyun):
    with TestCase.captureOnCommitCallbacks(execute=False):  # queued: the upload waits for the worker
        queued = household_import_start(actor=personas.street_a, upload=upload(register_workbook([row()])))
    stored = queued.workbook.name
    assert queued.workbook.storage.exists(stored) and len(stored.rsplit("/", 1)[-1]) > len("register-.xlsx") + 20
    good = _import(personas.street_a, [row()])
    assert not good.annotated and not good.workbook  # the upload goes once the import has its answer
    bad = _import(personas.street_a, [row(phone="1")])
    assert not bad.workbook
    name = bad.annotated.name.rsplit("/", 1)[-1]
    assert name.startswith("errors-") and len(name) > len("errors-.xlsx") + 20


def test_it_tells_neighbourhoods_of_the_same_name_apart_by_street(personas, feiyun):
    from tests.factories import NeighbourhoodFactory

    twin = NeighbourhoodFactory(
        community__street=personas.street_b_place.community.street, community__name="社区X", name="飞云花园"
    )
    refused = _import(personas.bureau, [row()])
    assert refused.status == "rejected" and "街道" in refused.errors[0]["message"]
    record = _import(personas.bureau, [row(street="玉海街道"), row(street="anyang")])
    assert record.status == "done", record.errors
    assert twin.households.count() == 1 and feiyun.households.count() == 1


def test_its_query_count_does_not_grow_with_rows(personas, feiyun):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _import(personas.street_a, [row("0", "101")])  # warm the per-user and content-type caches
    counts = []
    for building, size in (("1", 5), ("2", 60)):
        rows = [row(building, f"{n + 101}") for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            assert _import(personas.street_a, rows).status == "done"
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_upload_is_accepted_at_once_and_the_status_page_follows_the_job(login, personas, feiyun):
    client = login(personas.street_a)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(
            reverse("consultation_register_import"), {"workbook": upload(register_workbook([row()]))}
        )
    assert response.status_code == 302
    waiting = client.get(response["Location"]).content.decode()
    assert "等待后台进程" in waiting and not Household.objects.exists()  # the request only queued it
    # It updates itself, but no faster than every five seconds: a tab left open on a queue that is
    # busy for minutes must not keep a worker of the site busy.
    assert '<meta http-equiv="refresh" content="5">' in waiting
    (run_the_job,) = queued
    run_the_job()  # what the worker does
    done = client.get(response["Location"]).content.decode()
    assert "已导入" in done and "新增 1 户" in done
    assert Household.objects.filter(neighbourhood=feiyun).count() == 1


def test_the_status_page_shows_a_running_import_and_one_the_queue_gave_up_on(login, personas, feiyun, settings):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "clock"]}}
    record = household_import_start(actor=personas.street_a, upload=upload(register_workbook([row()])))
    HouseholdImport.objects.filter(pk=record.pk).update(status=HouseholdImport.Status.RUNNING)
    client = login(personas.street_a)
    url = reverse("consultation_register_import_detail", args=[record.pk])
    assert "正在逐行检查" in client.get(url).content.decode()
    # The worker was killed on every attempt: the queue failed the job (renovation/jobs, WorkerLost).
    DBTaskResult.objects.filter(pk=record.job_id).update(status=TaskResultStatus.FAILED)
    page = client.get(url).content.decode()
    assert "已中断" in page and "后台任务" in page and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize("persona", ["street_b", "resident"])
def test_the_status_page_and_marked_workbook_refuse_other_streets_and_residents(login, personas, feiyun, persona):
    record = _import(personas.street_a, [row(phone="1")])
    client = login(getattr(personas, persona))
    for name in ("consultation_register_import_detail", "consultation_register_import_annotated"):
        response = client.get(reverse(name, args=[record.pk]))
        assert response.status_code == {"street_b": 404, "resident": 302}[persona], name
        assert "I 联系电话" not in response.content.decode()
        if persona == "resident":  # not staff: the admin sends them to sign in
            assert response["Location"].startswith("/admin/login/")


def test_the_status_page_refuses_anonymous_visitors(client, personas, feiyun):
    record = _import(personas.street_a, [row()])
    response = client.get(reverse("consultation_register_import_detail", args=[record.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_bureau_follows_any_streets_import(login, personas, feiyun):
    record = _import(personas.street_a, [row()])
    page = login(personas.bureau).get(reverse("consultation_register_import_detail", args=[record.pk]))
    assert page.status_code == 200 and "已导入" in page.content.decode()


def test_a_failure_half_way_leaves_nothing_and_logs_no_cell(personas, feiyun, monkeypatch, caplog):
    _import(personas.street_a, [row("1", "101")])
    before = list(Household.objects.values_list("building", "room", "phone"))
    history = Household.history.count()

    def broken(*args, **kwargs):  # the message quotes a cell, as database errors do
        phone = args[0][0].phone
        raise RuntimeError(f"duplicate key (building, room, phone)=(1, 101, {phone})")

    # After the new household is inserted, the update of the existing one breaks.
    monkeypatch.setattr("renovation.consultation.services.bulk_update_with_history", broken)
    with caplog.at_level("DEBUG"), TestCase.captureOnCommitCallbacks(execute=False):
        record = household_import_start(
            actor=personas.street_a,
            upload=upload(register_workbook([row("1", "101", phone="13900000009"), row("2", "201")])),
        )
    from renovation.consultation.register import household_import_run
    from renovation.jobs.failures import ImportStopped

    with caplog.at_level("DEBUG"), pytest.raises(ImportStopped) as stopped:
        household_import_run(import_id=record.pk)
    assert "13900000009" not in str(stopped.value) and "RuntimeError" in str(stopped.value)
    assert "13900000009" not in caplog.text and "RuntimeError" in caplog.text
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.FAILED and "未作任何更改" in record.errors[0]["message"]
    assert list(Household.objects.values_list("building", "room", "phone")) == before
    assert Household.history.count() == history
    assert record.workbook  # kept, so the job can be retried
    monkeypatch.undo()
    assert household_import_run(import_id=record.pk).status == HouseholdImport.Status.DONE  # the retry imports it
    assert Household.objects.count() == 2


def test_a_second_run_of_a_finished_import_changes_nothing(personas, feiyun):
    """A job run twice (a worker lost after the commit, a retry) imports once."""
    from renovation.consultation.register import household_import_run

    record = _import(personas.street_a, [row("1", "101")])
    history = Household.history.count()
    again = household_import_run(import_id=record.pk)
    assert again.status == HouseholdImport.Status.DONE and again.summary == record.summary
    assert Household.history.count() == history


def test_an_interrupted_import_runs_again_from_the_start(personas, feiyun):
    """The worker died half-way: the record says "running", nothing was committed."""
    from renovation.consultation.register import household_import_run

    with TestCase.captureOnCommitCallbacks(execute=False):
        record = household_import_start(actor=personas.street_a, upload=upload(register_workbook([row()])))
    HouseholdImport.objects.filter(pk=record.pk).update(status=HouseholdImport.Status.RUNNING)
    done = household_import_run(import_id=record.pk)
    assert done.status == HouseholdImport.Status.DONE and done.summary["created"] == 1
    assert Household.objects.count() == 1


def test_an_uploader_who_left_the_staff_before_the_job_ran_imports_nothing(personas, feiyun):
    from renovation.consultation.register import household_import_run

    with TestCase.captureOnCommitCallbacks(execute=False):
        record = household_import_start(actor=personas.street_a, upload=upload(register_workbook([row()])))
    personas.street_a.is_active = False
    personas.street_a.save()
    done = household_import_run(import_id=record.pk)
    assert done.status == HouseholdImport.Status.REJECTED and "街道和住建局工作人员" in done.errors[0]["message"]
    assert not Household.objects.exists()


def test_a_zip_that_only_looks_like_a_workbook_is_refused_by_the_job(personas, feiyun):
    content = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml at all"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = household_import_start(actor=personas.street_a, upload=upload(content, "名册.xlsx"))
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.REJECTED and "无法" in record.errors[0]["message"]
    assert not Household.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_survives_the_request_and_the_worker_runs_it(client, personas, feiyun, settings):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tests.jobs.workers import in_process_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "clock"]}}
    client.force_login(personas.street_a)
    response = client.post(reverse("consultation_register_import"), {"workbook": upload(register_workbook([row()]))})
    assert response.status_code == 302  # the request is over; its transaction committed the job
    job = DBTaskResult.objects.get(task_path="renovation.consultation.tasks.household_import")
    record = HouseholdImport.objects.get()
    assert (job.status, record.status, str(record.job_id)) == (TaskResultStatus.READY, "queued", str(job.pk))
    assert not Household.objects.exists()

    in_process_worker().run()

    job.refresh_from_db()
    record.refresh_from_db()
    assert (job.status, job.return_value) == (TaskResultStatus.SUCCESSFUL, "done")
    assert record.status == HouseholdImport.Status.DONE and Household.objects.filter(neighbourhood=feiyun).count() == 1


def test_the_status_page_does_not_grow_in_queries_with_problems(login, personas, feiyun):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas.street_a)
    counts = []
    for size in (1, 20):
        record = _import(personas.street_a, [row("9", f"{n + 101}", phone="1") for n in range(size)])
        assert len(record.errors) == size
        url = reverse("consultation_register_import_detail", args=[record.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_run_that_read_the_import_before_another_run_finished_it_leaves_it_done(personas, feiyun, monkeypatch):
    """Two runs of one job at once (a worker's lease lapsed while it still ran): the one that read
    the record first and resumes after the other finished must not turn "done" into "running" and
    then "failed" (its upload already gone) — the households are in, the page must say so."""
    from renovation.consultation import register

    with TestCase.captureOnCommitCallbacks(execute=False):
        record = household_import_start(actor=personas.street_a, upload=upload(register_workbook([row()])))
    stale = HouseholdImport.objects.select_related("uploaded_by").get(pk=record.pk)  # the slow run's read
    assert register.household_import_run(import_id=record.pk).status == HouseholdImport.Status.DONE

    class Stale:
        def get(self, **lookup):
            return stale

    with monkeypatch.context() as patch:
        patch.setattr(HouseholdImport.objects, "select_related", lambda *names: Stale())
        register.household_import_run(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == HouseholdImport.Status.DONE
    assert record.summary["created"] == 1
    assert Household.objects.count() == 1
