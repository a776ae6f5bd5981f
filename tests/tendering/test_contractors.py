"""The contractor is the award: a project's construction units are the companies holding its
signed contracts, tendered or (below the must-tender threshold) placed directly."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.finance.services import ledger_entry_record
from renovation.supervision.permissions import built_project_ids
from renovation.tendering.contracts import contract_direct_record, contract_sign
from renovation.tendering.models import Bidder, Contract
from renovation.tendering.selectors import ContractorWorks, contractors_by_project, project_contractors
from tests.factories import ProjectFactory, UserFactory, WorkItemFactory
from tests.finance.factories import contract_for

pytestmark = pytest.mark.django_db

TERMS = {
    "number": "ZJ-2026-001",
    "amount": Decimal("180000.00"),
    "signed_on": date(2026, 4, 1),
    "start_on": date(2026, 4, 10),
    "end_on": date(2026, 6, 30),
}


@pytest.fixture
def small_works(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造")
    greening = WorkItemFactory(project=project, category="greening", description="绿化补植", budget=Decimal("180000"))
    company = Bidder.objects.create(
        name="瑞安市绿源园林有限公司", uscc="91330381MA2HXXXX01", contact_name="李经理", contact_phone="0577-1"
    )
    return project, greening, company


def test_it_records_a_direct_contract_for_works_below_the_threshold(personas, small_works):
    project, greening, company = small_works

    contract = contract_direct_record(
        actor=personas.street_a, project=project, contractor=company, data=TERMS, work_items=[greening]
    )

    assert contract.award is None and contract.is_direct
    assert list(contract.work_items.all()) == [greening]
    assert {row.history_change_reason for row in contract.history.all()} == {"contract_direct_record"}
    assert project_contractors(project) == [
        ContractorWorks(company="瑞安市绿源园林有限公司", works=("绿化补植",), contracts=("ZJ-2026-001",), direct=True)
    ]


def test_it_refuses_a_direct_contract_for_works_that_must_be_tendered(personas, small_works):
    project, _greening, company = small_works
    facade = WorkItemFactory(project=project, description="外立面整治", budget=Decimal("600000"))

    with pytest.raises(ValidationError) as raised:
        contract_direct_record(
            actor=personas.street_a, project=project, contractor=company, data=TERMS, work_items=[facade]
        )

    assert raised.value.message_dict == {"work_items": ["这些工程必须公开招标，不能直接发包：外立面整治。"]}
    assert not Contract.objects.exists()


def test_it_refuses_works_already_under_a_contract(personas, small_works):
    project, greening, company = small_works
    contract_direct_record(
        actor=personas.street_a, project=project, contractor=company, data=TERMS, work_items=[greening]
    )

    with pytest.raises(ValidationError) as raised:
        contract_direct_record(
            actor=personas.street_a,
            project=project,
            contractor=company,
            data={**TERMS, "number": "ZJ-2026-002"},
            work_items=[greening],
        )

    assert raised.value.message_dict == {"work_items": ["这些工程已有合同：绿化补植。"]}


def test_it_keeps_other_streets_from_recording_contracts(personas, small_works):
    project, greening, company = small_works

    with pytest.raises(PermissionDenied, match="只有本项目所在街道（或住建局）可以登记其合同"):
        contract_direct_record(
            actor=personas.street_b, project=project, contractor=company, data=TERMS, work_items=[greening]
        )
    assert not Contract.objects.exists()


def test_it_pays_a_direct_contract_within_its_amount_like_any_other(personas, small_works):
    project, greening, company = small_works
    contract = contract_direct_record(
        actor=personas.bureau, project=project, contractor=company, data=TERMS, work_items=[greening]
    )
    payment = {
        "project": project,
        "kind": "payment",
        "amount": Decimal("180000.00"),
        "booked_on": date(2026, 7, 1),
        "counterparty": company.name,
        "purpose": "绿化补植结算款",
        "contract": contract,
    }
    ledger_entry_record(actor=personas.bureau, data=payment)

    with pytest.raises(ValidationError) as raised:
        ledger_entry_record(actor=personas.bureau, data={**payment, "amount": Decimal("0.01")})
    assert "ZJ-2026-001" in raised.value.messages[0]


def test_it_signs_a_tendered_contract_covering_the_tendered_works(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    award = contract_for(project).award
    Contract.objects.filter(award=award).delete()
    facade = WorkItemFactory(project=project, description="外立面整治", budget=Decimal("600000"))
    award.tender.work_items.set([facade])

    contract = contract_sign(actor=personas.street_a, tender=award.tender, data=TERMS)

    assert contract.contractor == award.bidder
    assert list(contract.work_items.all()) == [facade]


def test_it_lists_each_contractor_with_its_works_in_signing_order(personas, small_works):
    project, greening, company = small_works
    tendered = contract_for(project, company="温州宏业建设有限公司")  # signed 2020-01-01
    facade = WorkItemFactory(project=project, category="building", description="外立面整治", budget=Decimal("600000"))
    pipes = WorkItemFactory(project=project, category="networks", description="雨污分流", budget=Decimal("500000"))
    tendered.work_items.set([pipes, facade])
    contract_direct_record(
        actor=personas.bureau, project=project, contractor=company, data=TERMS, work_items=[greening]
    )

    assert contractors_by_project([project.pk, ProjectFactory().pk]) == {
        project.pk: [
            ContractorWorks("温州宏业建设有限公司", ("外立面整治", "雨污分流"), (tendered.number,), False),
            ContractorWorks("瑞安市绿源园林有限公司", ("绿化补植",), ("ZJ-2026-001",), True),
        ]
    }


def test_it_lets_a_companys_accounts_answer_for_the_projects_it_holds_contracts_for(personas, small_works):
    project, greening, company = small_works
    site_manager = UserFactory(username="lvyuan_site")
    company.accounts.add(site_manager)
    assert built_project_ids(site_manager) == frozenset()

    contract_direct_record(
        actor=personas.bureau, project=project, contractor=company, data=TERMS, work_items=[greening]
    )

    assert built_project_ids(UserFactory(username="lvyuan_site")) == {project.pk}


def test_it_lets_street_staff_record_a_direct_contract_in_the_back_office(client, personas, small_works):
    from django.urls import reverse

    project, greening, company = small_works
    client.force_login(personas.street_a)

    response = client.post(
        reverse("contract:add"),
        {
            "project": project.pk,
            "contractor": company.pk,
            "work_items": [greening.pk],
            "number": "ZJ-2026-009",
            "amount": "150000.00",
            "signed_on": "2026-04-01",
            "start_on": "2026-04-10",
            "end_on": "2026-06-30",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get(number="ZJ-2026-009")
    assert contract.is_direct and contract.contractor == company
    assert list(contract.work_items.all()) == [greening]
    assert "ZJ-2026-009" in client.get(reverse("contract:index")).content.decode()
