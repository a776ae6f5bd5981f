"""Reports read what the other apps wrote: projects in two streets, a site issue or two, and a way
to open the workbook a download returns."""

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from renovation.projects.models import ProjectStatus
from renovation.supervision.models import IssueStatus, SiteIssue, Supervisor
from tests.factories import NeighbourhoodFactory, ProjectFactory, UserFactory


def read_xlsx(response: Any) -> Workbook:
    """The workbook a download view streamed back."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def rows_of(sheet: Any, first: int = 3) -> list[list[Any]]:
    """The data rows of a report sheet (row 1 is the title, row 2 the header)."""
    return [list(row) for row in sheet.iter_rows(min_row=first, values_only=True)]


def header_of(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[2]]


@dataclass
class Ledger:
    feiyun: Any  # street A, plan 2026, under construction, 800,000 yuan
    xiangyang: Any  # street A, plan 2026, approved, no dates
    yuhai: Any  # street B


@pytest.fixture
def ledger(personas) -> Ledger:
    feiyun = ProjectFactory(
        neighbourhood=personas.street_a_place,
        code="RA-2026-01",
        name="飞云花园改造",
        plan_year=2026,
        status=ProjectStatus.UNDER_CONSTRUCTION,
        budget_central=Decimal("500000"),
        budget_city=Decimal("300000"),
        progress=Decimal("42.50"),
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 11, 30),
        actual_start=date(2026, 3, 16),
    )
    xiangyang = ProjectFactory(
        neighbourhood=NeighbourhoodFactory(community=personas.street_a_place.community, name="向阳小区"),
        code="RA-2026-02",
        name='=HYPERLINK("http://evil.example","向阳小区改造")',
        plan_year=2026,
        status=ProjectStatus.APPROVED,
        budget_central=Decimal("123456.78"),
        budget_city=Decimal("0"),
        planned_start=None,
        planned_end=None,
    )
    yuhai = ProjectFactory(neighbourhood=personas.street_b_place, code="RA-2026-03", name="玉海苑改造", plan_year=2026)
    return Ledger(feiyun, xiangyang, yuhai)


@pytest.fixture
def site_issue(personas):
    """Site issues set straight into a state and time, for exports that only read them (the
    workflow itself is tested in tests/supervision)."""
    supervisor = Supervisor.objects.create(
        user=UserFactory(username="reports_supervisor"),
        home_neighbourhood=personas.street_a_place,
        appointed_by="安阳街道办事处",
        term_start=date(2020, 1, 1),
        term_end=date(2099, 12, 31),
    )

    def _issue(project: Any, *, status: str = IssueStatus.ACCEPTED, overdue: bool = False, **fields: Any):
        now = timezone.now()
        values = {
            "project": project,
            "reporter": supervisor,
            "category": "quality",
            "severity": "general",
            "description": "外墙空鼓",
            "location": "3幢",
            "status": status,
            "created_at": now - timedelta(days=3),
        }
        if status != IssueStatus.SUBMITTED:
            values["accepted_at"] = now - timedelta(days=2)
            values["deadline"] = now - timedelta(hours=1) if overdue else now + timedelta(days=1)
        values.update(fields)
        return SiteIssue.objects.create(**values)

    return _issue


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def urls() -> dict[str, str]:
    return {
        "index": reverse("renovation_reports:index"),
        "ledger": reverse("renovation_reports:project_ledger"),
        "monthly": reverse("renovation_reports:monthly_report"),
        "issues": reverse("renovation_reports:site_issue_register"),
    }
