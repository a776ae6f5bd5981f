"""Lifecycle order: residents decide before approval, the project is tendering before bids come
in, publicity ends before the award, a contract is signed before construction, and a site issue's
deadline follows its report. Each rule reads in a fixed number of queries, whatever the data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import F, Min, Q

from renovation.consultation.models import DeliberationStage, Intent, IntentChoice, Outcome, Stage
from renovation.consultation.tally import intent_tallies
from renovation.projects.models import Project, ProjectStatus
from renovation.supervision.models import SiteIssue
from renovation.tendering.models import Award, Bid, Contract

from .findings import Finding, local_day, local_stamp, project_label

S = ProjectStatus
# Statuses past the residents' decision, and past the start of tendering.
DECIDED = (S.APPROVED, S.TENDERING, S.UNDER_CONSTRUCTION, S.ACCEPTED, S.AFTERCARE)
TENDERING_OR_LATER = (S.TENDERING, S.UNDER_CONSTRUCTION, S.ACCEPTED, S.AFTERCARE)
BUILDING_OR_LATER = (S.UNDER_CONSTRUCTION, S.ACCEPTED, S.AFTERCARE)


def first_reached(statuses: tuple[str, ...]) -> dict[int, datetime]:
    """Project id → the moment its history first shows one of ``statuses`` (one query)."""
    rows = (
        Project.history.filter(status__in=statuses)
        .order_by()
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    return dict(rows)


def _projects(ids: set[int]) -> dict[int, Project]:
    return {p.pk: p for p in Project.objects.filter(pk__in=ids).select_related("neighbourhood").order_by()}


def consultation_before_approval() -> Iterator[Finding]:
    """On the day a project was first approved, enough households had already agreed."""
    approved = first_reached(DECIDED)
    if not approved:
        return
    projects = _projects(set(approved))
    tallies = intent_tallies(list(projects.values()))
    agreeing: dict[int, list[date]] = defaultdict(list)
    rows = Intent.objects.filter(project_id__in=list(approved), choice=IntentChoice.AGREE).values_list(
        "project_id", "responded_on"
    )
    for project_id, day in rows.iterator(chunk_size=5000):
        agreeing[project_id].append(day)
    for project_id, moment in sorted(approved.items()):
        project, tally = projects[project_id], tallies[project_id]
        day = local_day(moment)
        agreed = sum(1 for responded in agreeing[project_id] if responded <= day)
        if tally.households == 0 or agreed < tally.needed:
            yield Finding(
                "consultation-before-approval",
                project_label(project),
                f"approved on {day}, when {agreed} household(s) had agreed; the {tally.threshold_label} "
                f"threshold of {tally.households} households needs {tally.needed}",
            )


def deliberation_before_approval() -> Iterator[Finding]:
    """A project whose owners' assembly approved the works was not approved before that meeting,
    and the three reviews of each round were held in their order."""
    approved = first_reached(DECIDED)
    assemblies = dict(
        DeliberationStage.objects.filter(stage=Stage.ASSEMBLY_APPROVAL, outcome=Outcome.APPROVED)
        .order_by()
        .values("deliberation__project_id")
        .annotate(first=Min("held_on"))
        .values_list("deliberation__project_id", "first")
    )
    late = {pk: day for pk, day in assemblies.items() if pk in approved and local_day(approved[pk]) < day}
    projects = _projects(set(late))
    for project_id, assembly_day in sorted(late.items()):
        yield Finding(
            "deliberation-before-approval",
            project_label(projects[project_id]),
            f"approved on {local_day(approved[project_id])}, before the owners' assembly approved it on {assembly_day}",
        )
    order = {
        stage: index
        for index, stage in enumerate((Stage.COMMITTEE_REVIEW, Stage.PARTY_REVIEW, Stage.ASSEMBLY_APPROVAL))
    }
    stages = (
        DeliberationStage.objects.select_related("deliberation__project")
        .order_by("deliberation_id", "round", "pk")
        .iterator(chunk_size=2000)
    )
    previous = None
    for stage in stages:
        same_round = previous is not None and (previous.deliberation_id, previous.round) == (
            stage.deliberation_id,
            stage.round,
        )
        if same_round and order[stage.stage] > order[previous.stage] and stage.held_on < previous.held_on:
            yield Finding(
                "deliberation-before-approval",
                f"deliberation “{stage.deliberation.subject}” of {project_label(stage.deliberation.project)}",
                f"round {stage.round}: {stage.get_stage_display()} held on {stage.held_on}, "
                f"before {previous.get_stage_display()} on {previous.held_on}",
            )
        previous = stage


def tendering_before_bids() -> Iterator[Finding]:
    """No bid came in before its tender was announced or before its project was tendering."""
    tendering = first_reached(TENDERING_OR_LATER)
    bids = (
        Bid.objects.select_related("tender__project", "bidder")
        .order_by("tender_id", "pk")
        .only(
            "submitted_at",
            "tender__code",
            "tender__announced_at",
            "tender__project__code",
            "tender__project__name",
            "bidder__name",
        )
    )
    for bid in bids.iterator(chunk_size=2000):
        tender, project = bid.tender, bid.tender.project
        since = tendering.get(project.pk)
        record = f"bid of {bid.bidder.name} on tender {tender.code}"
        if since is None or bid.submitted_at < since:
            when = f"its status became tendering on {local_day(since)}" if since else "it was never tendering"
            yield Finding(
                "tendering-before-bids",
                record,
                f"submitted on {local_day(bid.submitted_at)} for {project_label(project)}, but {when}",
            )
        elif tender.announced_at is None or bid.submitted_at < tender.announced_at:
            yield Finding(
                "tendering-before-bids",
                record,
                f"submitted on {local_day(bid.submitted_at)}, before the tender was announced "
                f"({local_day(tender.announced_at) or 'never'})",
            )


def publicity_before_award() -> Iterator[Finding]:
    """An award follows the winner candidate's full publicity period."""
    awards = Award.objects.select_related("tender", "bidder").filter(
        Q(tender__publicity_end__isnull=True) | Q(awarded_at__lt=F("tender__publicity_end"))
    )
    for award in awards.order_by("pk"):
        tender = award.tender
        ended = (
            f"its publicity ended on {local_day(tender.publicity_end)}"
            if tender.publicity_end
            else "it had no publicity"
        )
        yield Finding(
            "publicity-before-award",
            f"award of tender {tender.code} to {award.bidder.name}",
            f"awarded on {local_day(award.awarded_at)}, but {ended}",
        )


def contract_before_construction() -> Iterator[Finding]:
    """A project starts construction once a contract is signed; no covered work starts before its
    contract was signed."""
    building = first_reached(BUILDING_OR_LATER)
    first_signed = dict(
        Contract.objects.order_by()
        .values("project_id")
        .annotate(first=Min("signed_on"))
        .values_list("project_id", "first")
    )
    early = {
        pk: moment
        for pk, moment in building.items()
        if first_signed.get(pk) is None or first_signed[pk] > local_day(moment)
    }
    projects = _projects(set(early))
    for project_id, moment in sorted(early.items()):
        signed = first_signed.get(project_id)
        yield Finding(
            "contract-before-construction",
            project_label(projects[project_id]),
            f"under construction from {local_day(moment)}, "
            + (f"but its first contract was signed on {signed}" if signed else "but it has no signed contract"),
        )
    covered = (
        Contract.objects.filter(work_items__actual_start__lt=F("signed_on"))
        .values_list("number", "signed_on", "work_items__description", "work_items__actual_start")
        .order_by("pk", "work_items__pk")
    )
    for number, signed_on, description, started in covered:
        yield Finding(
            "contract-before-construction",
            f"work item “{description}” of contract {number}",
            f"started on {started}, before its contract was signed on {signed_on}",
        )


def deadline_after_report() -> Iterator[Finding]:
    """A site issue's deadline to rectify comes after it was reported."""
    issues = SiteIssue.objects.filter(deadline__lt=F("created_at")).select_related("project").order_by("pk")
    for issue in issues:
        yield Finding(
            "deadline-after-report",
            f"site issue #{issue.pk} of {project_label(issue.project)}",
            f"deadline {local_stamp(issue.deadline)} is before it was reported at {local_stamp(issue.created_at)}",
        )
