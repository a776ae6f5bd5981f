from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cms.models import ProjectPage
from renovation.finance.models import LedgerEntry, QuarterlyDisclosure
from renovation.projects.models import COMPLETED_STATUSES, ProgressReport, Project, WorkCategory

pytestmark = pytest.mark.slow


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_ruians_2023_plan_and_is_idempotent(db):
    first = _seed()

    plan_2023 = Project.objects.filter(plan_year=2023)
    assert plan_2023.count() == 29
    assert plan_2023.filter(status__in=COMPLETED_STATUSES).count() == 25
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
    # and one correction made today.
    assert LedgerEntry.objects.filter(project=feiyun, kind="income", source="resident").count() == 1
    assert LedgerEntry.objects.filter(project=feiyun, kind="payment", corrects__isnull=True).count() >= 2
    assert LedgerEntry.objects.filter(project=feiyun, corrects__isnull=False).count() == 1
    assert QuarterlyDisclosure.objects.filter(project=feiyun).count() >= 4

    counts = (Project.objects.count(), ProgressReport.objects.count(), LedgerEntry.objects.count())
    second = _seed()
    assert (Project.objects.count(), ProgressReport.objects.count(), LedgerEntry.objects.count()) == counts
    assert "0 projects created" in second
    assert "password unchanged" in second
