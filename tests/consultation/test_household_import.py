"""Importing the household register from Excel: checked row by row, all or nothing, idempotent."""

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from renovation.consultation.models import Household, HouseholdImport
from renovation.consultation.register import SHEET, register_template
from renovation.consultation.services import household_import
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
    return household_import(actor=actor, upload=upload(register_workbook(rows, **kwargs), "住户名册.xlsx"))


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
    response = client.post(
        reverse("consultation_register_import"), {"workbook": upload(register_workbook([row(phone="1")]))}, follow=True
    )
    page = response.content.decode()
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
    good = _import(personas.street_a, [row()])
    assert not good.annotated
    bad = _import(personas.street_a, [row(phone="1")])
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
