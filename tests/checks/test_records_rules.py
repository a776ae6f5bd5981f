from decimal import Decimal

import pytest

from renovation.checks.findings import Finding
from renovation.checks.records import (
    change_log_backed_by_history,
    contractor_is_award_winner,
    project_progress_weighted,
)
from renovation.projects.models import Project, WorkItem
from renovation.tendering.models import Contract
from tests.factories import ProjectFactory, WorkItemFactory
from tests.finance.factories import contract_for

pytestmark = pytest.mark.django_db


def _weighted_project(progress: str) -> Project:
    project = ProjectFactory(code="RA-2025-01", progress=Decimal(progress))
    WorkItemFactory(project=project, budget=Decimal("300000"), progress=Decimal("100"))
    WorkItemFactory(project=project, budget=Decimal("100000"), progress=Decimal("0"))
    return project


def test_it_finds_nothing_when_progress_is_the_budget_weighted_mean():
    _weighted_project("75.00")

    assert list(project_progress_weighted()) == []


def test_it_finds_progress_that_is_not_the_budget_weighted_mean():
    project = _weighted_project("50.00")  # the plain mean of 100 and 0

    assert list(project_progress_weighted()) == [
        Finding(
            "project-progress-weighted",
            f"project RA-2025-01 {project.name}",
            "progress 50.00% ≠ weighted mean of its 2 work item(s) 75.00%",
        )
    ]


def test_it_finds_nothing_when_the_contract_is_signed_with_the_winner():
    contract_for(ProjectFactory())

    assert list(contractor_is_award_winner()) == []


def test_it_finds_a_contract_signed_with_another_company_than_the_winner():
    project = ProjectFactory(code="RA-2025-02")
    winner = contract_for(project, number="HT-WIN", company="温州宏业建设有限公司")
    other = contract_for(ProjectFactory(), company="浙江安居市政园林有限公司").contractor
    Contract.objects.filter(pk=winner.pk).update(contractor=other)

    assert list(contractor_is_award_winner()) == [
        Finding(
            "contractor-is-award-winner",
            f"contract HT-WIN (project RA-2025-02 {project.name})",
            f"signed with 浙江安居市政园林有限公司, "
            f"but tender {winner.award.tender.code} was awarded to 温州宏业建设有限公司",
        )
    ]


def test_it_finds_nothing_when_every_change_went_through_history():
    project = ProjectFactory()
    item = WorkItemFactory(project=project)
    item.progress = Decimal("40")
    item.save()

    assert list(change_log_backed_by_history()) == []


def test_it_finds_a_change_made_around_history():
    project = ProjectFactory()
    item = WorkItemFactory(project=project, progress=Decimal("10"))
    WorkItem.objects.filter(pk=item.pk).update(progress=Decimal("40"))

    assert list(change_log_backed_by_history()) == [
        Finding(
            "change-log-backed-by-history",
            f"workitem #{item.pk}",
            "changed without history: progress is Decimal('40.00'), history says Decimal('10.00')",
        )
    ]


def test_it_finds_a_record_without_any_history():
    project = ProjectFactory()
    project.history.all().delete()

    assert list(change_log_backed_by_history()) == [
        Finding(
            "change-log-backed-by-history",
            f"project #{project.pk}",
            "has no history: its creation is missing from the change log",
        )
    ]


def test_it_finds_must_tender_works_contracted_without_a_tender():
    project = ProjectFactory(code="RA-2025-03")
    contract = contract_for(project, number="ZJ-DIRECT", company="瑞安市绿源园林有限公司")
    Contract.objects.filter(pk=contract.pk).update(award=None)
    contract.work_items.set([WorkItemFactory(project=project, description="外立面整治", budget=Decimal("600000"))])

    assert list(contractor_is_award_winner()) == [
        Finding(
            "contractor-is-award-winner",
            f"contract ZJ-DIRECT (project RA-2025-03 {project.name})",
            "瑞安市绿源园林有限公司 holds “外立面整治” without a tender, but these works must be publicly tendered",
        )
    ]
