from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cms.models import ProjectPage
from renovation.consultation.models import Deliberation, Intent
from renovation.finance.models import EntryKind, LedgerEntry, QuarterlyDisclosure, previous_quarter
from renovation.finance.selectors import contract_positions
from renovation.projects.gallery import project_photo_gallery
from renovation.projects.models import COMPLETED_STATUSES, ProgressReport, Project, ProjectStatus, WorkCategory
from renovation.supervision.models import SiteIssue
from renovation.tendering.models import Bid, Contract, Tender, TenderStatus
from renovation.tendering.seal import unseal

pytestmark = pytest.mark.slow


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _became(project: Project, status: str):
    """When the project first reached ``status`` (from its history)."""
    return project.history.filter(status=status).order_by("history_date").values_list("history_date", flat=True).first()


def test_it_loads_ruians_2023_plan_and_is_idempotent(db):
    first = _seed()
    today = timezone.localdate()

    plan_2023 = Project.objects.filter(plan_year=2023)
    assert plan_2023.count() == 29
    assert plan_2023.filter(status__in=COMPLETED_STATUSES).count() == 28
    assert set(plan_2023.values_list("neighbourhood__community__street__name", flat=True)) == {
        "安阳街道",
        "玉海街道",
        "锦湖街道",
    }
    feiyun = Project.objects.get(neighbourhood__name="飞云花园")
    assert feiyun.neighbourhood.household_count == 483
    used = set(Project.objects.values_list("work_items__category", flat=True))
    assert used >= set(WorkCategory.values)
    assert ProjectPage.objects.count() == Project.objects.count()

    # Progress history is spread over months, not stamped at seeding time.
    dates = list(feiyun.history.values_list("history_date", flat=True))
    assert (max(dates) - min(dates)).days > 90
    progress = list(feiyun.history.order_by("history_date", "history_id").values_list("progress", flat=True))
    assert progress == sorted(progress)  # reports were filed in date order: progress only rises
    assert ProgressReport.objects.filter(status="pending").exists()  # something for the bureau to confirm

    # Passwords are printed, never fixed in the repository.
    assert "password:" in first
    assert get_user_model().objects.filter(username="bureau", staff_profile__role="bureau").exists()

    # A ledger with subsidy tranches, residents in aggregate, payments, past quarters published
    # and one correction.
    assert LedgerEntry.objects.filter(project=feiyun, kind="income", source="resident").count() == 1
    assert LedgerEntry.objects.filter(project=feiyun, kind="payment", corrects__isnull=True).count() >= 2
    assert LedgerEntry.objects.filter(project=feiyun, corrects__isnull=False).count() == 1
    assert QuarterlyDisclosure.objects.filter(project=feiyun).count() >= 4

    # Photos of the works, before / during / after, attached through the service (photo pipeline).
    gallery = project_photo_gallery(feiyun)
    assert [phase.phase for phase in gallery.phases] == ["before", "during", "after"]

    _it_tells_a_true_story(today)

    # Every invariant behind the public figures holds on the demo (check_figures exits 0).
    checked = StringIO()
    call_command("check_figures", stdout=checked, stderr=StringIO())
    assert "rule(s) hold" in checked.getvalue()

    counts = (Project.objects.count(), ProgressReport.objects.count(), LedgerEntry.objects.count())
    second = _seed()
    assert (Project.objects.count(), ProgressReport.objects.count(), LedgerEntry.objects.count()) == counts
    assert "0 projects created" in second
    assert "password unchanged" in second


def _it_tells_a_true_story(today):
    # Some late, some early, one stalled, one suspended.
    late = Project.objects.filter(
        status=ProjectStatus.UNDER_CONSTRUCTION, planned_end__lt=today, progress__lt=100
    ).values_list("neighbourhood__name", flat=True)
    assert set(late) == {"虹桥新村二期", "罗阳新村"}
    early = [p for p in Project.objects.filter(status__in=COMPLETED_STATUSES) if p.actual_end < p.planned_end]
    finished_late = [p for p in Project.objects.filter(status__in=COMPLETED_STATUSES) if p.actual_end > p.planned_end]
    assert len(early) >= 5 and len(finished_late) >= 5
    assert "东山新村" in {p.neighbourhood.name for p in early}
    stalled = Project.objects.get(neighbourhood__name="西山新村")
    last_confirmed = ProgressReport.objects.filter(work_item__project=stalled, status="confirmed").latest("reviewed_at")
    assert last_confirmed.reviewed_at < timezone.now() - timedelta(days=30)
    assert stalled.planned_end >= today
    assert Project.objects.filter(status=ProjectStatus.SUSPENDED).get().neighbourhood.name == "锦绣花园"

    # Lifecycle in order: residents asked and the assembly filed before approval, tendering
    # before the bids, publicity before the award, signed contract before construction.
    for project in Project.objects.exclude(status__in=[ProjectStatus.PROPOSED, ProjectStatus.CONSULTING]):
        approved = _became(project, ProjectStatus.APPROVED)
        assert approved is not None, project
        assert Intent.objects.filter(project=project).exists()
        deliberation = Deliberation.objects.get(project=project)
        assert deliberation.filed_on is not None and deliberation.filed_on <= timezone.localtime(approved).date()
        tendering = _became(project, ProjectStatus.TENDERING)
        for bid in Bid.objects.filter(tender__project=project):
            assert bid.submitted_at >= tendering, project
        for tender in Tender.objects.filter(project=project, status=TenderStatus.AWARDED):
            assert tender.publicity_end <= tender.award.awarded_at
        started = _became(project, ProjectStatus.UNDER_CONSTRUCTION)
        if started is not None:
            contracts = Contract.objects.filter(project=project)
            assert contracts.exists()
            assert all(contract.signed_on <= timezone.localtime(started).date() for contract in contracts)

    # Money for every project past tendering; accepted projects paid in full, never beyond.
    positions = contract_positions(list(Contract.objects.values_list("pk", flat=True)))
    for contract in Contract.objects.select_related("project"):
        position = positions[contract.pk]
        assert Decimal(0) < position.paid <= position.ceiling, contract
        if contract.project.status in COMPLETED_STATUSES:
            assert position.paid == position.ceiling, contract
    last_ended = previous_quarter(today)
    for project in Project.objects.filter(ledger_entries__isnull=False).distinct():
        assert project.ledger_entries.filter(kind=EntryKind.INCOME).exists()
        assert QuarterlyDisclosure.objects.filter(project=project, year=last_ended[0], quarter=last_ended[1]).exists()

    # Varied bids: never two companies with the same amount in a tender, none above the ceiling.
    for tender in Tender.objects.filter(status__in=[TenderStatus.AWARDED, TenderStatus.PUBLICITY]):
        amounts = [unseal(bid).amount for bid in tender.bids.all()]
        assert len(set(amounts)) == len(amounts) >= 3
        assert max(amounts) <= tender.ceiling_price

    # Site issues: deadlines come after their reports; the overdue one became overdue by itself.
    issues = SiteIssue.objects.exclude(deadline=None)
    assert issues.exists()
    assert all(issue.deadline > issue.created_at for issue in issues)
    assert any(issue.is_overdue for issue in issues)
