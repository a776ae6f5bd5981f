"""OC4IDS project packages, read as a consumer would: every package validates against the
OC4IDS 0.9.4 schema with formats checked, every code is in its codelist, and each contracting
process leads to our OCDS releases by its ocid."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.opendata import oc4ids
from renovation.projects.models import ProjectStatus
from renovation.tendering import contracts
from renovation.tendering.services import tenders_catch_up
from tests.factories import ProjectFactory, WorkItemFactory
from tests.opendata.oc4ids_schema import problems, validator
from tests.tendering.fixtures import open_now
from tests.tendering.test_ocds import _lifecycle

pytestmark = pytest.mark.django_db


def _clean(package):
    found = problems(package)
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:15])
    return package


def _project_package(client, project):
    response = client.get(f"/projects/{project.slug}/oc4ids.json")
    assert response.status_code == 200
    return response.json()


def test_it_validates_a_project_before_any_tender(client, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING, code="RA-2026-01")
    WorkItemFactory(project=project, category="networks")
    package = _clean(_project_package(client, project))
    (document,) = package["projects"]
    assert document["id"] == "oc4ids-lzgz00-RA-2026-01"
    assert document["status"] == "identification"
    assert document["type"] == "rehabilitation"
    assert document["sector"] == ["waterAndWaste", "communications"]
    assert document["budget"]["amount"] == {"amount": 800000.0, "currency": "CNY"}
    sources = {
        row["id"]: row["amount"]["amount"] for row in document["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    }
    assert sources == {"central": 500000.0, "city": 300000.0}
    assert "contractingProcesses" not in document
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_it_links_every_release_of_a_tender_through_its_whole_life(client, tender_cast, personas):
    tender, contract = _lifecycle(tender_cast, personas)
    package = _clean(_project_package(client, tender.project))
    (process,) = package["projects"][0]["contractingProcesses"]
    ocds = json.loads(b"".join(client.get(f"/tenders/{tender.pk}/ocds.json").streaming_content))
    assert process["id"] == process["summary"]["ocid"] == tender.ocid
    assert [release["id"] for release in process["releases"]] == [release["id"] for release in ocds["releases"]]
    assert [release["date"] for release in process["releases"]] == [release["date"] for release in ocds["releases"]]
    assert {release["url"] for release in process["releases"]} == {f"http://testserver/tenders/{tender.pk}/ocds.json"}
    summary = process["summary"]
    assert summary["status"] == "active"
    assert summary["suppliers"] == [{"id": f"CN-USCC-{contract.contractor.uscc}", "name": contract.contractor.name}]
    assert summary["contractValue"] == {"amount": 873956.21, "currency": "CNY"}  # the contract plus its change
    assert summary["modifications"][0]["type"] == "value"
    assert summary["transactions"][0]["id"] == "BK-0001"
    parties = {party["id"]: party["roles"] for party in package["projects"][0]["parties"]}
    assert {"supplier", "tenderer", "payee"} <= set(parties[f"CN-USCC-{contract.contractor.uscc}"])
    assert parties["public-authority"] == ["publicAuthority"]


def test_it_says_nothing_about_bids_before_the_opening(client, tender_cast):
    tender_cast.three_bids()
    package = _clean(_project_package(client, tender_cast.project))
    summary = package["projects"][0]["contractingProcesses"][0]["summary"]
    assert summary["status"] == "pre-award"
    assert "numberOfTenderers" not in summary["tender"] and "tenderers" not in summary["tender"]
    assert all("tenderer" not in party["roles"] for party in package["projects"][0]["parties"])


def test_it_closes_the_process_of_a_failed_tender(client, tender_cast):
    tender_cast.bid(0)
    open_now(tender_cast.tender)
    tenders_catch_up()  # the clock job records the opening (a page view never writes)
    package = _clean(_project_package(client, tender_cast.project))
    summary = package["projects"][0]["contractingProcesses"][0]["summary"]
    assert summary["status"] == "closed"
    assert summary["tender"]["numberOfTenderers"] == 1


def test_it_publishes_a_direct_contract_without_an_ocid(client, tender_cast, personas):
    project = tender_cast.project
    small = WorkItemFactory(project=project, description="门禁更换", budget=Decimal("80000"), category="governance")
    contracts.contract_direct_record(
        actor=personas.street_a,
        project=project,
        contractor=tender_cast.bidders[3],
        data={
            "number": "ZJ-1",
            "amount": Decimal("78000"),
            "signed_on": date(2026, 4, 1),
            "start_on": date(2026, 4, 2),
            "end_on": date(2026, 5, 1),
        },
        work_items=[small],
    )
    package = _clean(_project_package(client, project))
    direct = [p for p in package["projects"][0]["contractingProcesses"] if p["id"].startswith("direct-")]
    (process,) = direct
    assert "ocid" not in process["summary"] and "releases" not in process
    assert process["summary"]["tender"]["procurementMethod"] == "direct"
    assert process["summary"]["contractValue"]["amount"] == 78000.0


def test_it_reports_completion_and_a_suspended_projects_stage(client, personas):
    done = ProjectFactory(
        neighbourhood=personas.street_a_place,
        status=ProjectStatus.ACCEPTED,
        actual_start=date(2023, 3, 1),
        actual_end=date(2023, 12, 5),
    )
    paused = ProjectFactory(
        neighbourhood=personas.street_b_place, status=ProjectStatus.SUSPENDED, actual_start=date(2023, 4, 1)
    )
    first = _clean(_project_package(client, done))["projects"][0]
    assert first["status"] == "completion"
    assert first["completion"] == {"endDate": "2023-12-05T00:00:00+08:00", "endDateDetails": "较计划竣工日期晚 5 天"}
    assert _clean(_project_package(client, paused))["projects"][0]["status"] == "implementation"


def test_the_bulk_package_pages_with_a_fixed_size_and_links_the_next(client, personas, monkeypatch):
    monkeypatch.setattr(oc4ids, "PAGE_SIZE", 2)
    projects = [ProjectFactory(neighbourhood=personas.street_a_place) for _ in range(3)]
    first = client.get("/projects/oc4ids.json")
    assert first.status_code == 200 and first.streaming
    assert first["Link"] == '</projects/oc4ids.json?page=2>; rel="next"'
    package = _clean(_json(first))
    assert [p["id"] for p in package["projects"]] == [oc4ids.project_id(p) for p in projects[:2]]
    second = client.get("/projects/oc4ids.json?page=2")
    assert "Link" not in second
    assert [p["id"] for p in _clean(_json(second))["projects"]] == [oc4ids.project_id(projects[2])]
    assert client.get("/projects/oc4ids.json?page=3").status_code == 404
    assert client.get("/projects/oc4ids.json?page=x").status_code == 404


def test_the_bulk_page_reads_a_fixed_number_of_queries(client, tender_cast, personas, monkeypatch):
    monkeypatch.setattr(oc4ids, "PAGE_SIZE", 50)
    _lifecycle(tender_cast, personas)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _json(client.get("/projects/oc4ids.json"))
        return len(queries)

    few = count()
    for _ in range(6):
        WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_b_place))
    assert count() == few


def test_an_empty_site_has_no_bulk_page(client, db):
    assert client.get("/projects/oc4ids.json").status_code == 404


def _json(response):
    import json

    body = b"".join(response.streaming_content)
    assert response["Content-Length"] == str(len(body))
    return json.loads(body)


# --- the validator itself ---------------------------------------------------------------------


def test_the_validator_checks_uri_and_date_time_formats():
    assert {"uri", "date-time"} <= set(validator().format_checker.checkers)


def test_the_validator_fails_a_broken_package(client, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    good = _clean(_project_package(client, project))
    broken = copy.deepcopy(good)
    broken["uri"] = "not a uri"
    document = broken["projects"][0]
    document["status"] = "suspended"
    document["sector"] = ["urbanRenewal"]
    document["period"]["startDate"] = "2023-03-01"
    document["documents"][0]["documentType"] = "projectPage"
    document["progress"] = 50
    found = "\n".join(problems(broken))
    assert "/uri: 'not a uri' is not a 'uri'" in found
    assert "'suspended' is not one of" in found
    assert "'urbanRenewal' is not in projectSector.csv" in found
    assert "'2023-03-01' is not a 'date-time'" in found
    assert "'projectPage' is not in documentType.csv" in found
    assert "/projects/0/progress: a field the schema does not define" in found
    empty = {**good, "projects": []}
    assert any("projects" in problem for problem in problems(empty))
