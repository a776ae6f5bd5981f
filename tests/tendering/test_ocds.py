"""Every release package we publish validates against OCDS 1.1 with the bids extension, offline."""

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from renovation.finance.services import ledger_entry_record
from renovation.tendering import contracts, services
from renovation.tendering.models import Tender
from tests.tendering.fixtures import end_publicity, open_now

# An unmodified copy of ../shared/data/ocds-1.1 (Apache License 2.0; see its README), shipped with
# the tests so they run offline wherever the checkout lives.
SCHEMAS = Path(__file__).resolve().parent / "ocds-1.1"


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch, as the extension mechanism of OCDS applies it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@pytest.fixture(scope="module")
def validator():
    if not SCHEMAS.is_dir():
        pytest.fail(f"the OCDS schemas are missing: {SCHEMAS}")
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    extended = merge_patch(release, json.loads((SCHEMAS / "bid-extension-release-schema.json").read_text()))
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(release["id"], Resource(contents=extended, specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def _package(client, tender):
    response = client.get(f"/tenders/{tender.pk}/ocds.json")
    assert response.status_code == 200
    return response.json()


def _assert_valid(validator, package):
    errors = sorted(validator.iter_errors(package), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_every_release_of_a_tender_validates_from_announcement_to_change_order(
    tender_cast, personas, client, validator
):
    _assert_valid(validator, _package(client, tender_cast.tender))
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    _assert_valid(validator, _package(client, tender))  # the page catches the tender up: opening release
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in tender.bids.all()}
    )
    services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    tender = end_publicity(tender)
    services.tender_award(actor=personas.street_a, tender=tender)
    contract = contracts.contract_sign(
        actor=personas.street_a,
        tender=Tender.objects.get(pk=tender.pk),
        data={
            "number": "HT-1",
            "amount": "861234.57",
            "signed_on": date(2026, 5, 1),
            "start_on": date(2026, 5, 2),
            "end_on": date(2026, 8, 1),
        },
    )
    change = contracts.change_order_propose(
        actor=personas.street_a, contract=contract, reason="增项", amount_change=500
    )
    contracts.change_order_decide(
        actor=personas.street_a,
        change_order=change,
        approve=True,
        decided_on=date(2026, 6, 1),
        approval_reference="1号",
    )
    ledger_entry_record(
        actor=personas.street_a,
        data={
            "project": tender.project,
            "kind": "payment",
            "amount": Decimal("200000.00"),
            "booked_on": date(2026, 6, 15),
            "counterparty": contract.contractor.name,
            "purpose": "预付款",
            "contract": contract,
            "bank_reference": "BK-0001",
        },
    )
    package = _package(client, tender)
    _assert_valid(validator, package)
    tags = [release["tag"][0] for release in package["releases"]]
    assert tags == ["tender", "tenderUpdate", "award", "award", "contract", "contractAmendment", "implementation"]
    transactions = package["releases"][-1]["contracts"][0]["implementation"]["transactions"]
    assert [(t["value"]["amount"], t["source"]) for t in transactions] == [(200000.0, "BK-0001")]
    assert all(release["ocid"] == tender.ocid for release in package["releases"])
    last = package["releases"][-1]
    assert last["awards"][0]["status"] == "active"
    assert last["contracts"][0]["amendments"][0]["rationale"] == "增项"
    assert {party["roles"][0] for party in last["parties"]} >= {"buyer", "tenderer"}
    _assert_valid(validator, client.get("/tenders/ocds.json").json())


def test_a_failed_tender_validates_too(tender_cast, client, validator):
    tender_cast.bid(0)
    tender = open_now(tender_cast.tender)
    package = _package(client, tender)
    _assert_valid(validator, package)
    assert package["releases"][-1]["tender"]["status"] == "unsuccessful"


def test_a_draft_has_no_open_data(personas, client):
    from tests.factories import ProjectFactory, WorkItemFactory
    from tests.tendering.fixtures import tender_data

    project = ProjectFactory(neighbourhood=personas.street_a_place, status="approved")
    tender = services.tender_create(
        actor=personas.street_a, data=tender_data(project), work_items=[WorkItemFactory(project=project)]
    )
    assert client.get(f"/tenders/{tender.pk}/ocds.json").status_code == 404
    assert client.get(f"/tenders/{tender.pk}/").status_code == 404


def test_the_ocid_is_built_from_the_configured_prefix(tender_cast, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    assert tender_cast.tender.ocid == f"ocds-abc123-{tender_cast.tender.code}"
