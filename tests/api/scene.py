"""The open data as a consumer meets it: a scene with something in every resource, planted
personal data that must never come out, and a crawler that fetches every endpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from renovation.api.urls import router
from renovation.finance.services import disclosure_publish, ledger_entry_record
from renovation.projects.models import WorkItem
from renovation.projects.services import progress_report_confirm, progress_report_submit
from renovation.supervision.services import site_issue_accept
from renovation.tendering.models import Contract
from tests.consultation.pages import SECRET_NAMES, SECRET_PHONES, consultation_scene
from tests.factories import WorkItemFactory
from tests.finance.factories import change_order, day_in_previous_quarter, previous_quarter

# Planted by the scene or the shared fixtures: supervisor's and builder's names and e-mails,
# bidders' contact person and phone, households' names and phones, a resident's ledger name.
PERSONAL = (
    *SECRET_NAMES,
    *SECRET_PHONES,
    "陈阿姨",
    "chen@example.org",
    "builder@example.org",
    "王经理",
    "0577-65880000",
    "13987650000",
)

OPEN311_DOCUMENTS = (
    "/open311/v2/discovery.{fmt}",
    "/open311/v2/services.{fmt}",
    "/open311/v2/services/quality.{fmt}",
    "/open311/v2/requests.{fmt}",
)


@dataclass
class Scene:
    cast: Any
    public_issue: Any
    private_issue: Any
    contract: Contract
    consultation_project: Any


def build_scene(personas: Any, cast: Any, reported_issue: Any) -> Scene:
    """Something in every resource, all written through the services."""
    public_issue = reported_issue(latitude=Decimal("27.780000"), longitude=Decimal("120.650000"))
    site_issue_accept(actor=personas.street_a, issue=public_issue)
    private_issue = reported_issue(description="刚提交、尚未受理的问题")
    item = WorkItemFactory(project=cast.project, category="care", budget=Decimal("200000"))
    report = progress_report_submit(
        actor=personas.street_a, work_item=item, percent=Decimal("40"), reported_on=timezone.localdate()
    )
    progress_report_confirm(actor=personas.bureau, report=report)
    contract = Contract.objects.get(project=cast.project)
    change_order(contract, "20000.00")
    ledger_entry_record(
        actor=personas.street_a,
        data={
            "project": cast.project,
            "kind": "income",
            "source": "resident",
            "amount": Decimal("3000.00"),
            "booked_on": day_in_previous_quarter(3),
            "counterparty": SECRET_NAMES[0],
            "purpose": "居民自筹",
        },
    )
    ledger_entry_record(
        actor=personas.street_a,
        data={
            "project": cast.project,
            "kind": "payment",
            "amount": Decimal("150000.00"),
            "booked_on": day_in_previous_quarter(5),
            "counterparty": contract.contractor.name,
            "purpose": "进度款",
            "contract": contract,
            "invoice_number": "FP-001",
        },
    )
    year, quarter = previous_quarter()
    disclosure_publish(actor=personas.street_a, project=cast.project, year=year, quarter=quarter)
    consultation_project, _page = consultation_scene(personas, households=6, code="APIC", status="accepted")
    return Scene(cast, public_issue, private_issue, contract, consultation_project)


def body(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def api_list_paths() -> list[str]:
    """Every resource of /api/v1/, from the router: a new resource is crawled without a change here."""
    return [f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry]


def crawl_open_data(client: Client) -> dict[str, str]:
    """Fetch every open-data answer: each API list (every page), each row's own address, the
    schema and docs, and every Open311 document in JSON and XML with each request's own."""
    seen: dict[str, str] = {}

    def fetch(url: str) -> Any:
        response = client.get(url)
        assert response.status_code < 500, url
        seen[url] = body(response)
        return response

    fetch("/api/v1/")
    fetch("/api/v1/schema/")
    for path in api_list_paths():
        url: str | None = path
        while url:
            response = fetch(url)
            assert response.status_code == 200, url
            page = json.loads(seen[url])
            for row in page["results"]:
                assert fetch(f"{path}{row['id']}/").status_code == 200
            url = page["next"]
    for fmt in ("json", "xml"):
        for template in OPEN311_DOCUMENTS:
            fetch(template.format(fmt=fmt))
        requests = json.loads(fetch("/open311/v2/requests.json").content)
        for request in requests:
            fetch(f"/open311/v2/requests/{request['service_request_id']}.{fmt}")
    return seen


def work_items_of(project: Any) -> list[WorkItem]:
    return list(WorkItem.objects.filter(project=project).order_by("category", "sort_order", "pk"))
