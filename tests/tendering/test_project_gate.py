from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from renovation.projects import services as project_services
from renovation.projects.models import ProjectStatus
from renovation.tendering import contracts, services
from renovation.tendering.kinds import kind
from renovation.tendering.models import Tender
from renovation.tendering.selectors import mandatory_work_items
from tests.factories import ProjectFactory, WorkItemFactory
from tests.tendering.fixtures import end_publicity, open_now


def _start_construction(project, actor):
    return project_services.project_update(
        actor=actor, project=project, data={"status": ProjectStatus.UNDER_CONSTRUCTION}
    )


def test_an_item_must_be_tendered_by_kind_or_by_budget(personas, settings):
    settings.TENDER_MANDATORY_BUDGET_YUAN = 500_000
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.APPROVED)
    big = WorkItemFactory(project=project, budget=Decimal("500000"))
    small = WorkItemFactory(project=project, budget=Decimal("499999"))
    property_service = WorkItemFactory(
        project=project, budget=Decimal("1000"), procurement_kind=kind("property_service")
    )
    assert set(mandatory_work_items(project)) == {big, property_service}
    assert small not in mandatory_work_items(project)


def test_construction_cannot_start_while_a_must_tender_item_has_no_contract(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.TENDERING)
    WorkItemFactory(project=project, description="智慧安防升级", budget=Decimal("2020000"))
    with pytest.raises(ValidationError) as error:
        _start_construction(project, personas.street_a)
    assert "智慧安防升级" in str(error.value)
    project.refresh_from_db()
    assert project.status == ProjectStatus.TENDERING


def test_construction_may_start_once_the_contract_is_signed(tender_cast, personas):
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in tender.bids.all()}
    )
    services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    tender = end_publicity(tender)
    services.tender_award(actor=personas.street_a, tender=tender)
    project = tender_cast.project
    project.refresh_from_db()
    with pytest.raises(ValidationError, match="尚无已定标并签订合同：外立面整治"):
        _start_construction(project, personas.street_a)
    contracts.contract_sign(
        actor=personas.street_a,
        tender=Tender.objects.get(pk=tender.pk),
        data={
            "number": "HT-1",
            "amount": Decimal("861234.57"),
            "signed_on": date(2026, 5, 1),
            "start_on": date(2026, 5, 2),
            "end_on": date(2026, 8, 1),
        },
    )
    project.refresh_from_db()
    _start_construction(project, personas.street_a)
    project.refresh_from_db()
    assert project.status == ProjectStatus.UNDER_CONSTRUCTION
