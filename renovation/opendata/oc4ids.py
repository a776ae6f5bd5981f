"""Open Contracting for Infrastructure Data Standards (OC4IDS) 0.9 projects.

One project document per renovation project, read from the same selectors and frozen records as
the public pages: the budget by source from the project, the contractors from the signed
contracts, and each tender's contracting process from its latest published OCDS release (so the
summary says exactly what the OCDS package says, sealed bids included: nothing about bids before
the opening). Each contracting process carries the tender's ``ocid`` and links every release of it.

Every code comes from the schema's codelists (the tests check them against the CSVs of
OC4IDS 0.9.4). Nothing here names a person: parties are public bodies, the residents as a whole
(a budget source) and companies identified by their unified social credit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from renovation.finance.models import EntryKind, LedgerEntry
from renovation.finance.selectors import contract_positions
from renovation.projects.lateness import completion_delay
from renovation.projects.models import Project, ProjectStatus, WorkItem
from renovation.tendering.models import Contract, Tender, TenderRelease, TenderStatus
from renovation.tendering.ocds import day_start, implementation_transactions, street_party

OC4IDS_VERSION = "0.9"
CURRENCY = "CNY"
# Bulk packages: a fixed page size, so a page's address always holds the same projects (and a
# cache keyed by URL stays valid until one of them changes).
PAGE_SIZE = 100

Absolute = Callable[[str], str]

# The lifecycle mapped onto the closed projectStatus codelist. A suspended project has no code of
# its own: it keeps the stage its dates show (see ``_status``).
_STATUS = {
    ProjectStatus.PROPOSED: "identification",
    ProjectStatus.CONSULTING: "identification",
    ProjectStatus.APPROVED: "preparation",
    ProjectStatus.TENDERING: "preparation",
    ProjectStatus.UNDER_CONSTRUCTION: "implementation",
    ProjectStatus.ACCEPTED: "completion",
    ProjectStatus.AFTERCARE: "maintenance",
}

# Work categories onto the (open) projectSector codelist, using its own codes only. The codelist has
# no general housing sector; 老旧小区改造 is a state-subsidised renovation of housing estates, which
# is closest to socialHousing.
SECTORS_BY_CATEGORY = {
    "building": ("socialHousing",),
    "roads": ("transport.road",),
    "networks": ("waterAndWaste", "communications"),
    "greening": ("cultureSportsAndRecreation",),
    "care": ("health",),
    "governance": ("governance",),
}

# The budget sources (Project.budget_*) and who provides each one: public bodies, or the
# residents as a whole (never a person).
BUDGET_SOURCES = (
    ("central", "budget_central", "中央财政补助"),
    ("provincial", "budget_provincial", "省级财政补助"),
    ("city", "budget_city", "市级财政补助"),
    ("resident", "budget_resident", "居民出资（全体业主）"),
    ("other", "budget_other", "其他资金"),
)


def project_id(project: Project) -> str:
    """A globally unique project id: the registered prefix and the project code."""
    return f"{settings.OC4IDS_PROJECT_PREFIX}-{project.code}"


def project_page_path(project: Project) -> str:
    """The public page of the project (the CMS gives each project the page /projects/<slug>/)."""
    return f"/projects/{project.slug}/"


def _iso_day(day: date) -> str:
    return day_start(day).isoformat(timespec="seconds")


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _value(amount: Decimal | float) -> dict[str, Any]:
    return {"amount": float(amount), "currency": CURRENCY}


def _period(start: date | None, end: date | None) -> dict[str, Any] | None:
    period = {}
    if start:
        period["startDate"] = _iso_day(start)
    if end:
        period["endDate"] = _iso_day(end)
    return period or None


def _status(project: Project) -> str:
    if project.status != ProjectStatus.SUSPENDED:
        return _STATUS[project.status]
    if project.actual_end:
        return "completion"
    return "implementation" if project.actual_start else "preparation"


def _public_authority() -> dict[str, Any]:
    return {"id": "public-authority", "name": settings.OC4IDS_PUBLIC_AUTHORITY}


def _funder(code: str, name: str) -> dict[str, Any]:
    return {"id": f"funder-{code}", "name": name}


# --- what a page of projects reads, in a fixed number of queries --------------------------------


@dataclass
class ProjectSources:
    """Everything the documents of a set of projects read, fetched once for the whole set."""

    categories: dict[int, list[str]]
    tenders: dict[int, list[Tender]]
    releases: dict[int, list[TenderRelease]]  # tender id → its releases, in publication order
    latest: dict[int, dict[str, Any]]  # tender id → its latest release's data
    direct: dict[int, list[Contract]]  # project id → its contracts placed without a tender
    positions: dict[int, Any]  # contract id → ContractPosition


def project_sources(projects: Sequence[Project]) -> ProjectSources:
    ids = [project.pk for project in projects]
    categories: dict[int, list[str]] = {}
    for project_id_, category in (
        WorkItem.objects.filter(project_id__in=ids)
        .order_by("category")
        .values_list("project_id", "category")
        .distinct()
    ):
        categories.setdefault(project_id_, []).append(category)
    tenders: dict[int, list[Tender]] = {}
    tender_list = list(
        Tender.objects.filter(project_id__in=ids).exclude(status=TenderStatus.DRAFT).order_by("announced_at", "pk")
    )
    for tender in tender_list:
        tenders.setdefault(tender.project_id, []).append(tender)
    releases: dict[int, list[TenderRelease]] = {}
    for release in (
        TenderRelease.objects.filter(tender__in=tender_list)
        .order_by("pk")
        .only("tender_id", "release_id", "date", "tags")
    ):
        releases.setdefault(release.tender_id, []).append(release)
    latest_pks = (
        TenderRelease.objects.filter(tender__in=tender_list)
        .values("tender_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    latest = {
        row.tender_id: row.data
        for row in TenderRelease.objects.filter(pk__in=list(latest_pks)).only("tender_id", "data")
    }
    payments = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).order_by("booked_on", "pk")
    direct_contracts = list(
        Contract.objects.filter(project_id__in=ids, award__isnull=True)
        .select_related("contractor", "project__neighbourhood__community__street")
        .prefetch_related(Prefetch("ledger_entries", queryset=payments))
        .order_by("signed_on", "pk")
    )
    direct: dict[int, list[Contract]] = {}
    for contract in direct_contracts:
        direct.setdefault(contract.project_id, []).append(contract)
    positions = contract_positions([contract.pk for contract in direct_contracts]) if direct_contracts else {}
    return ProjectSources(categories, tenders, releases, latest, direct, positions)


def public_projects() -> QuerySet[Project]:
    """Every project, in a stable order (the bulk pages must not shift)."""
    return Project.objects.select_related("neighbourhood__community__street").order_by("pk")


# --- one project ---------------------------------------------------------------------------------


def _budget(project: Project) -> dict[str, Any]:
    breakdown = [
        {
            "id": code,
            "description": name,
            "amount": _value(getattr(project, field)),
            "sourceParty": _funder(code, name),
        }
        for code, field, name in BUDGET_SOURCES
        if getattr(project, field)
    ]
    budget: dict[str, Any] = {"amount": _value(project.budget_total)}
    if breakdown:
        budget["budgetBreakdowns"] = [{"id": "sources", "budgetBreakdown": breakdown}]
    return budget


def _location(project: Project) -> dict[str, Any]:
    neighbourhood = project.neighbourhood
    community = neighbourhood.community
    # The estate's own address (a place shared by hundreds of households), never a household's.
    address: dict[str, Any] = {"locality": community.street.name, "countryName": "中国"}
    if neighbourhood.address:
        address["streetAddress"] = neighbourhood.address
    return {
        "id": f"neighbourhood-{neighbourhood.pk}",
        "description": f"{community.street.name} {community.name} {neighbourhood.name}",
        "address": address,
    }


def _summary_from_release(tender: Tender, data: dict[str, Any], first_published: str | None) -> dict[str, Any]:
    """A tendered contracting process as its latest OCDS release has it."""
    section = data.get("tender", {})
    summary_tender: dict[str, Any] = {
        "procurementMethod": section.get("procurementMethod", "open"),
        "procuringEntity": data["buyer"],
    }
    for key in ("procurementMethodDetails", "numberOfTenderers", "tenderers"):
        if key in section:
            summary_tender[key] = section[key]
    if "value" in section:
        summary_tender["costEstimate"] = section["value"]
    if first_published:
        summary_tender["datePublished"] = first_published
    summary: dict[str, Any] = {
        "ocid": data["ocid"],
        "externalReference": tender.code,
        "nature": ["construction"],
        "title": section.get("title") or tender.title,
        "tender": summary_tender,
    }
    active = [award for award in data.get("awards", []) if award.get("status") == "active"]
    if active:
        summary["suppliers"] = active[0]["suppliers"]
    contracts = data.get("contracts", [])
    if contracts:
        contract = contracts[0]
        summary["contractValue"] = contract["value"]
        if contract.get("period"):
            summary["contractPeriod"] = contract["period"]
        if contract.get("amendments"):
            summary["modifications"] = [
                {
                    "id": amendment["id"],
                    "date": amendment["date"],
                    "description": amendment["description"],
                    "rationale": amendment["rationale"],
                    "type": "value",
                }
                for amendment in contract["amendments"]
            ]
        transactions = contract.get("implementation", {}).get("transactions")
        if transactions:
            summary["transactions"] = transactions
    if section.get("status") == "unsuccessful":
        summary["status"] = "closed"
    elif contracts or active:
        summary["status"] = "active"
    else:
        summary["status"] = "pre-award"
    return summary


def _tendered_process(tender: Tender, sources: ProjectSources, absolute: Absolute) -> dict[str, Any] | None:
    releases = sources.releases.get(tender.pk, [])
    data = sources.latest.get(tender.pk)
    if not releases or data is None:
        return None
    first = next((release for release in releases if "tender" in release.tags), releases[0])
    url = absolute(f"/tenders/{tender.pk}/ocds.json")
    return {
        "id": data["ocid"],
        "summary": _summary_from_release(tender, data, _iso(first.date)),
        "releases": [
            {"id": release.release_id, "tag": list(release.tags), "date": _iso(release.date), "url": url}
            for release in releases
        ],
    }


def _company(contractor: Any) -> dict[str, Any]:
    return {"id": f"CN-USCC-{contractor.uscc}", "name": contractor.name}


def _direct_process(contract: Contract, sources: ProjectSources) -> dict[str, Any]:
    """Works contracted directly (直接发包, below the must-tender threshold): no OCDS ocid."""
    position = sources.positions[contract.pk]
    street = contract.project.neighbourhood.community.street
    summary: dict[str, Any] = {
        "externalReference": contract.number,
        "nature": ["construction"],
        "status": "closed" if contract.project.is_completed else "active",
        "tender": {
            "procurementMethod": "direct",
            "procurementMethodDetails": "直接发包",
            "procuringEntity": street_party(street),
        },
        "suppliers": [_company(contract.contractor)],
        "contractValue": _value(position.ceiling),
        "contractPeriod": _period(contract.start_on, contract.end_on),
    }
    transactions = implementation_transactions(contract, payer=street_party(street))
    if transactions:
        summary["transactions"] = transactions
    return {"id": f"direct-{contract.pk}", "summary": summary}


def _parties(project: Project, processes: list[dict[str, Any]], sources: ProjectSources) -> list[dict[str, Any]]:
    parties: dict[str, dict[str, Any]] = {}

    def add(party: dict[str, Any], role: str, identifier: dict[str, Any] | None = None) -> None:
        entry = parties.setdefault(party["id"], {"id": party["id"], "name": party["name"], "roles": []})
        if identifier and "identifier" not in entry:
            entry["identifier"] = identifier
        if role not in entry["roles"]:
            entry["roles"].append(role)

    add(_public_authority(), "publicAuthority")
    for code, field, name in BUDGET_SOURCES:
        if getattr(project, field):
            add(_funder(code, name), "funder")
    for process in processes:
        summary = process["summary"]
        add(summary["tender"]["procuringEntity"], "procuringEntity")
        for company in summary["tender"].get("tenderers", []):
            add(company, "tenderer", _uscc_identifier(company))
        for company in summary.get("suppliers", []):
            add(company, "supplier", _uscc_identifier(company))
        for transaction in summary.get("transactions", []):
            add(transaction["payer"], "payer")
            add(transaction["payee"], "payee", _uscc_identifier(transaction["payee"]))
    return list(parties.values())


def _uscc_identifier(company: dict[str, Any]) -> dict[str, Any] | None:
    if not company["id"].startswith("CN-USCC-"):
        return None
    return {"scheme": "CN-USCC", "id": company["id"].removeprefix("CN-USCC-"), "legalName": company["name"]}


def project_document(project: Project, sources: ProjectSources, absolute: Absolute) -> dict[str, Any]:
    """The OC4IDS project of one renovation project."""
    page = absolute(project_page_path(project))
    sectors: list[str] = []
    for category in sources.categories.get(project.pk, []):
        sectors.extend(code for code in SECTORS_BY_CATEGORY.get(category, ()) if code not in sectors)
    processes = [
        process
        for process in (_tendered_process(tender, sources, absolute) for tender in sources.tenders.get(project.pk, []))
        if process is not None
    ] + [_direct_process(contract, sources) for contract in sources.direct.get(project.pk, [])]
    document: dict[str, Any] = {
        "id": project_id(project),
        "language": "zh",
        "identifiers": [{"id": project.code, "scheme": "项目编号"}],
        "publicAuthority": _public_authority(),
        "title": project.name,
        "description": project.summary or f"{project.neighbourhood.name}老旧小区改造（{project.plan_year}年计划）",
        "status": _status(project),
        "type": "rehabilitation",
        "purpose": "城镇老旧小区改造",
        "budget": _budget(project),
        "locations": [_location(project)],
        "parties": _parties(project, processes, sources),
        "metrics": [
            {
                "id": "physicalProgress",
                "title": "工程进度（已确认，按预算加权）",
                "observations": [
                    {"id": "physicalProgress-current", "measure": float(project.progress), "unit": {"name": "%"}}
                ],
            }
        ],
        "documents": [
            {
                "id": "project-page",
                "documentType": "physicalProgressReport",
                "title": f"{project.name} · 项目公开页",
                "url": page,
                "format": "text/html",
                "language": "zh",
            }
        ],
    }
    if sectors:
        document["sector"] = sectors
    period = _period(project.planned_start, project.planned_end)
    if period:
        document["period"] = period
    if project.actual_end:
        completion: dict[str, Any] = {"endDate": _iso_day(project.actual_end)}
        delay = completion_delay(project.planned_end, project.actual_end)
        if delay:
            completion["endDateDetails"] = f"较计划竣工日期晚 {delay} 天"
        document["completion"] = completion
    if processes:
        document["contractingProcesses"] = processes
    return document


def project_text(document: dict[str, Any]) -> str:
    """A project as JSON text, as the bulk view sends it (and opendata.stored keeps it)."""
    return json.dumps(document, ensure_ascii=False)


def project_package(
    projects: Iterable[dict[str, Any]], *, uri: str, policy: str, published: datetime | None = None
) -> dict[str, Any]:
    """The package around already built projects (the bulk view streams the same fields)."""
    head = package_head(uri=uri, policy=policy, published=published)
    head["projects"] = list(projects)
    return head


def package_head(*, uri: str, policy: str, published: datetime | None = None) -> dict[str, Any]:
    return {
        "uri": uri,
        "publishedDate": _iso(published or timezone.now()),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        "license": settings.OPEN_DATA_LICENCE,
        "publicationPolicy": policy,
        "version": OC4IDS_VERSION,
    }
