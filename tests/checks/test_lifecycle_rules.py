from datetime import date, timedelta

import pytest
from django.utils import timezone

from renovation.checks.findings import Finding
from renovation.checks.lifecycle import (
    consultation_before_approval,
    contract_before_construction,
    deadline_after_report,
    deliberation_before_approval,
    publicity_before_award,
    tendering_before_bids,
)
from renovation.consultation.models import Channel, Deliberation, DeliberationStage, Intent, Outcome, Stage
from renovation.projects.models import ProjectStatus
from renovation.supervision.models import SiteIssue
from renovation.tendering.models import Tender
from tests.checks.helpers import date_latest_history, moment, move_project
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory, WorkItemFactory
from tests.finance.factories import contract_for

pytestmark = pytest.mark.django_db


def _consulted_project(agreed_on: date):
    project = ProjectFactory(status=ProjectStatus.CONSULTING, neighbourhood__household_count=3, code="RA-2023-01")
    date_latest_history(project, date(2023, 1, 5))
    for _index in range(2):
        household = HouseholdFactory(neighbourhood=project.neighbourhood)
        Intent.objects.create(
            project=project, household=household, choice="agree", responded_on=agreed_on, channel=Channel.PAPER
        )
    return move_project(project, ProjectStatus.APPROVED, date(2023, 3, 10))


def test_it_finds_nothing_when_residents_agreed_before_the_approval():
    _consulted_project(agreed_on=date(2023, 3, 1))

    assert list(consultation_before_approval()) == []


def test_it_finds_an_approval_before_enough_households_agreed():
    project = _consulted_project(agreed_on=date(2023, 3, 15))

    assert list(consultation_before_approval()) == [
        Finding(
            "consultation-before-approval",
            f"project RA-2023-01 {project.name}",
            "approved on 2023-03-10, when 0 household(s) had agreed; the 2/3 threshold of 3 households needs 2",
        )
    ]


def _deliberated(project, days: dict[str, date]) -> Deliberation:
    deliberation = Deliberation.objects.create(project=project, subject="改造方案")
    for stage, day in days.items():
        DeliberationStage.objects.create(
            deliberation=deliberation, round=1, stage=stage, held_on=day, outcome=Outcome.APPROVED
        )
    return deliberation


def test_it_finds_nothing_when_the_assembly_approved_before_the_project():
    project = _consulted_project(agreed_on=date(2023, 3, 1))
    _deliberated(
        project,
        {
            Stage.COMMITTEE_REVIEW: date(2023, 2, 1),
            Stage.PARTY_REVIEW: date(2023, 2, 8),
            Stage.ASSEMBLY_APPROVAL: date(2023, 3, 10),
        },
    )

    assert list(deliberation_before_approval()) == []


def test_it_finds_an_approval_before_the_owners_assembly():
    project = _consulted_project(agreed_on=date(2023, 3, 1))
    _deliberated(project, {Stage.COMMITTEE_REVIEW: date(2023, 2, 1), Stage.ASSEMBLY_APPROVAL: date(2023, 3, 17)})

    assert list(deliberation_before_approval()) == [
        Finding(
            "deliberation-before-approval",
            f"project RA-2023-01 {project.name}",
            "approved on 2023-03-10, before the owners' assembly approved it on 2023-03-17",
        )
    ]


def test_it_finds_reviews_held_out_of_their_order():
    project = _consulted_project(agreed_on=date(2023, 3, 1))
    _deliberated(project, {Stage.COMMITTEE_REVIEW: date(2023, 2, 9), Stage.PARTY_REVIEW: date(2023, 2, 8)})

    [finding] = deliberation_before_approval()

    assert finding.rule == "deliberation-before-approval"
    assert finding.record == f"deliberation “改造方案” of project RA-2023-01 {project.name}"
    assert "2023-02-08" in finding.message and "2023-02-09" in finding.message


def _tendered(project_since: date, announced: date):
    project = ProjectFactory(code="RA-2023-02", status=ProjectStatus.TENDERING)
    date_latest_history(project, project_since)
    contract = contract_for(project, company="温州宏业建设有限公司")
    tender = contract.award.tender
    Tender.objects.filter(pk=tender.pk).update(announced_at=moment(announced))
    return project, contract


def test_it_finds_nothing_when_bids_follow_the_tendering_status_and_announcement():
    bid_day = timezone.localdate() - timedelta(days=25)
    _tendered(project_since=bid_day - timedelta(days=10), announced=bid_day - timedelta(days=5))

    assert list(tendering_before_bids()) == []


def test_it_finds_a_bid_before_its_project_was_tendering():
    bid_day = timezone.localdate() - timedelta(days=25)
    project, contract = _tendered(project_since=bid_day + timedelta(days=3), announced=bid_day - timedelta(days=5))

    assert list(tendering_before_bids()) == [
        Finding(
            "tendering-before-bids",
            f"bid of 温州宏业建设有限公司 on tender {contract.award.tender.code}",
            f"submitted on {bid_day} for project RA-2023-02 {project.name}, "
            f"but its status became tendering on {bid_day + timedelta(days=3)}",
        )
    ]


def test_it_finds_a_bid_before_its_tender_was_announced():
    bid_day = timezone.localdate() - timedelta(days=25)
    _tendered(project_since=bid_day - timedelta(days=9), announced=bid_day + timedelta(days=1))

    [finding] = tendering_before_bids()

    assert finding.message == f"submitted on {bid_day}, before the tender was announced ({bid_day + timedelta(days=1)})"


def test_it_finds_nothing_when_the_award_follows_the_publicity():
    contract = contract_for(ProjectFactory())
    Tender.objects.filter(pk=contract.award.tender_id).update(
        publicity_start=timezone.now() - timedelta(days=4), publicity_end=timezone.now() - timedelta(days=1)
    )

    assert list(publicity_before_award()) == []


def test_it_finds_an_award_before_the_publicity_ended():
    contract = contract_for(ProjectFactory(), company="浙江安居市政园林有限公司")
    end = timezone.now() + timedelta(days=2)
    Tender.objects.filter(pk=contract.award.tender_id).update(publicity_start=timezone.now(), publicity_end=end)

    assert list(publicity_before_award()) == [
        Finding(
            "publicity-before-award",
            f"award of tender {contract.award.tender.code} to 浙江安居市政园林有限公司",
            f"awarded on {timezone.localdate()}, but its publicity ended on {timezone.localtime(end).date()}",
        )
    ]


def test_it_finds_nothing_when_the_contract_was_signed_before_construction():
    project = ProjectFactory(status=ProjectStatus.APPROVED)
    contract_for(project)  # signed 2020-01-01
    move_project(project, ProjectStatus.UNDER_CONSTRUCTION, date(2020, 2, 1))

    assert list(contract_before_construction()) == []


def test_it_finds_construction_before_any_signed_contract():
    project = ProjectFactory(status=ProjectStatus.APPROVED, code="RA-2019-01")
    contract_for(project)  # signed 2020-01-01
    move_project(project, ProjectStatus.UNDER_CONSTRUCTION, date(2019, 12, 1))
    lone = ProjectFactory(status=ProjectStatus.APPROVED, code="RA-2019-02")
    move_project(lone, ProjectStatus.UNDER_CONSTRUCTION, date(2019, 12, 2))

    assert list(contract_before_construction()) == [
        Finding(
            "contract-before-construction",
            f"project RA-2019-01 {project.name}",
            "under construction from 2019-12-01, but its first contract was signed on 2020-01-01",
        ),
        Finding(
            "contract-before-construction",
            f"project RA-2019-02 {lone.name}",
            "under construction from 2019-12-02, but it has no signed contract",
        ),
    ]


def test_it_finds_works_started_before_their_contract_was_signed():
    project = ProjectFactory(status=ProjectStatus.APPROVED)
    contract = contract_for(project, number="HT-EARLY")
    move_project(project, ProjectStatus.UNDER_CONSTRUCTION, date(2020, 2, 1))
    item = WorkItemFactory(project=project, description="屋面防水", actual_start=date(2019, 11, 30))
    contract.work_items.add(item)

    assert list(contract_before_construction()) == [
        Finding(
            "contract-before-construction",
            "work item “屋面防水” of contract HT-EARLY",
            "started on 2019-11-30, before its contract was signed on 2020-01-01",
        )
    ]


def _issue(cast, deadline_hours: int) -> SiteIssue:
    reported = moment(date(2026, 5, 1), hour=9)
    return SiteIssue.objects.create(
        project=cast.project,
        reporter=cast.supervisor.supervisor,
        category="safety",
        description="脚手架松动",
        location="3幢",
        created_at=reported,
        deadline=reported + timedelta(hours=deadline_hours),
    )


def test_it_finds_nothing_when_the_deadline_follows_the_report(cast):
    _issue(cast, deadline_hours=24)

    assert list(deadline_after_report()) == []


def test_it_finds_a_deadline_before_the_report(cast):
    issue = _issue(cast, deadline_hours=-6)

    assert list(deadline_after_report()) == [
        Finding(
            "deadline-after-report",
            f"site issue #{issue.pk} of project {cast.project.code} {cast.project.name}",
            "deadline 2026-05-01 03:00 is before it was reported at 2026-05-01 09:00",
        )
    ]


def test_it_counts_agreement_by_the_day_of_approval_not_by_today():
    project = _consulted_project(agreed_on=date(2023, 3, 10))
    project.neighbourhood.household_count = 300
    project.neighbourhood.save()

    [finding] = consultation_before_approval()

    assert finding.message.endswith("when 2 household(s) had agreed; the 2/3 threshold of 300 households needs 200")
