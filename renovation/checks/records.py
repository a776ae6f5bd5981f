"""Stored figures that are derived from other records: project progress from its works, the
contractor from the award, and the public change log from history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Model, OuterRef, Q, Subquery

from renovation.consultation.models import ConsultationRule, DecisionItem, Deliberation
from renovation.consultation.selectors import (
    DECISION_PUBLIC_FIELDS,
    DELIBERATION_PUBLIC_FIELDS,
    RULE_PUBLIC_FIELDS,
)
from renovation.finance.models import LedgerEntry
from renovation.finance.public import ENTRY_PUBLIC_FIELDS
from renovation.projects.models import Project, WorkItem
from renovation.projects.progress import weighted_progress
from renovation.projects.selectors import PROJECT_PUBLIC_FIELDS, WORK_ITEM_PUBLIC_FIELDS
from renovation.tendering.models import Contract

from .findings import Finding, project_label

CHUNK = 2000


def project_progress_weighted() -> Iterator[Finding]:
    """A project's progress is the budget-weighted mean of its work items (``projects/progress.py``)."""
    items: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    rows = WorkItem.objects.order_by().values_list("project_id", "budget", "progress")
    for project_id, budget, progress in rows.iterator(chunk_size=CHUNK * 5):
        items[project_id].append((budget, progress))
    projects = Project.objects.order_by("code").values_list("pk", "code", "name", "progress")
    for pk, code, name, stored in projects.iterator(chunk_size=CHUNK):
        expected = weighted_progress(items.get(pk, []))
        if stored != expected:
            yield Finding(
                "project-progress-weighted",
                f"project {code} {name}",
                f"progress {stored}% ≠ weighted mean of its {len(items.get(pk, []))} work item(s) {expected}%",
            )


def contractor_is_award_winner() -> Iterator[Finding]:
    """The company holding a tendered contract is the one that won it with its own bid, on the
    tender's own project; a contract without a tender covers no must-tender works."""
    contracts = (
        Contract.objects.filter(award__isnull=False)
        .exclude(
            contractor_id=F("award__bidder_id"),
            award__bidder_id=F("award__bid__bidder_id"),
            project_id=F("award__tender__project_id"),
        )
        .select_related("contractor", "project", "award__bidder", "award__bid__bidder", "award__tender__project")
        .order_by("pk")
    )
    for contract in contracts:
        award = contract.award
        record = f"contract {contract.number} ({project_label(contract.project)})"
        if contract.contractor_id != award.bidder_id:
            yield Finding(
                "contractor-is-award-winner",
                record,
                f"signed with {contract.contractor.name}, "
                f"but tender {award.tender.code} was awarded to {award.bidder.name}",
            )
        if award.bidder_id != award.bid.bidder_id:
            yield Finding(
                "contractor-is-award-winner",
                record,
                f"the award names {award.bidder.name}, but the winning bid is {award.bid.bidder.name}'s",
            )
        if contract.project_id != award.tender.project_id:
            yield Finding(
                "contractor-is-award-winner",
                record,
                f"recorded on {contract.project.code}, "
                f"but its tender {award.tender.code} is for {award.tender.project.code}",
            )
    yield from _direct_contracts_of_tendered_works()


def _direct_contracts_of_tendered_works() -> Iterator[Finding]:
    """Works that must go through the street channel are never contracted without a tender."""
    must = Q(work_items__procurement_kind__must_tender=True) | Q(
        work_items__budget__gte=settings.TENDER_MANDATORY_BUDGET_YUAN
    )
    rows = (
        Contract.objects.filter(award__isnull=True)
        .filter(must)
        .select_related("project", "contractor")
        .values_list("number", "contractor__name", "project__code", "project__name", "work_items__description")
        .order_by("pk", "work_items__pk")
    )
    for number, company, code, name, description in rows:
        yield Finding(
            "contractor-is-award-winner",
            f"contract {number} (project {code} {name})",
            f"{company} holds “{description}” without a tender, but these works must be publicly tendered",
        )


# The records whose history the public change log shows, with the fields it shows.
LOGGED: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
    (Project, PROJECT_PUBLIC_FIELDS),
    (WorkItem, WORK_ITEM_PUBLIC_FIELDS),
    (LedgerEntry, ENTRY_PUBLIC_FIELDS),
    (ConsultationRule, RULE_PUBLIC_FIELDS),
    (Deliberation, DELIBERATION_PUBLIC_FIELDS),
    (DecisionItem, DECISION_PUBLIC_FIELDS),
)


def _attnames(model: type[Model], fields: tuple[str, ...]) -> list[str]:
    return [model._meta.get_field(name).attname for name in fields]


def _unlogged(model: type[Model], fields: tuple[str, ...]) -> Iterator[tuple[Any, str]]:
    """Rows whose latest history row is missing or shows other values than the row itself: a
    change made around the services (a bulk update, a raw write) that the change log cannot show."""
    names = _attnames(model, fields)
    latest = model.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id").values("history_id")[:1]
    rows = model.objects.order_by("pk").annotate(latest_history=Subquery(latest)).values("pk", "latest_history", *names)
    batch: list[dict[str, Any]] = []

    def check(batch: list[dict[str, Any]]) -> Iterator[tuple[Any, str]]:
        ids = [row["latest_history"] for row in batch if row["latest_history"] is not None]
        history = {
            record["history_id"]: record
            for record in model.history.filter(history_id__in=ids).values("history_id", "history_type", *names)
        }
        for row in batch:
            record = history.get(row["latest_history"])
            if record is None:
                yield row["pk"], "has no history: its creation is missing from the change log"
            elif record["history_type"] == "-":
                yield row["pk"], "its latest history row records a deletion"
            else:
                differ = [name for name in names if record[name] != row[name]]
                if differ:
                    yield (
                        row["pk"],
                        "changed without history: "
                        + ", ".join(f"{name} is {row[name]!r}, history says {record[name]!r}" for name in differ),
                    )

    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from check(batch)
            batch = []
    if batch:
        yield from check(batch)


def change_log_backed_by_history() -> Iterator[Finding]:
    """Every public change-log figure is backed by history: the latest history row of each record
    on the change log holds the record's current public values."""
    for model, fields in LOGGED:
        for pk, problem in _unlogged(model, fields):
            yield Finding("change-log-backed-by-history", f"{model._meta.model_name} #{pk}", problem)
