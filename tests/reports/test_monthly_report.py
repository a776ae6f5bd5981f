"""The monthly progress report (月报): a summary sheet by street and one sheet per street, with
progress at the start and end of the month taken from the projects' history."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from renovation.projects.models import Project, ProjectStatus
from renovation.projects.services import progress_report_confirm, progress_report_submit
from renovation.reports.exports import month_bounds, monthly_report
from tests.factories import ProjectFactory, WorkItemFactory
from tests.reports.conftest import read_xlsx, rows_of


@dataclass
class Month:
    year: int
    month: int
    start: datetime
    feiyun: Any
    previous: tuple[int, int]


def _project(place: Any, code: str, **fields: Any) -> Any:
    values = {"budget_central": Decimal("0"), "budget_city": Decimal("0"), "planned_start": None, "planned_end": None}
    values.update(fields)
    return ProjectFactory(neighbourhood=place, code=code, **values)


def _recorded_before(project: Any, moment: datetime) -> None:
    """Set the scene: the project's history so far happened before ``moment``."""
    project.history.update(history_date=moment - timedelta(days=5))


@pytest.fixture
def month(personas) -> Month:
    today = timezone.localdate()
    start, _following = month_bounds(today.year, today.month)
    a, b = personas.street_a_place, personas.street_b_place
    feiyun = _project(
        a,
        "M-01",
        name="飞云花园改造",
        plan_year=today.year,
        status=ProjectStatus.UNDER_CONSTRUCTION,
        budget_central=Decimal("800000"),
        progress=Decimal("30"),
        planned_start=date(today.year, 1, 1),
    )
    _recorded_before(feiyun, start)
    # This month the bureau confirms 60% on its one work item: the project moves from 30% to 60%.
    item = WorkItemFactory(project=feiyun, budget=Decimal("100000"))
    report = progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("60"))
    progress_report_confirm(actor=personas.bureau, report=report)

    _project(a, "M-02", plan_year=today.year, status=ProjectStatus.APPROVED, budget_central=Decimal("200000"))
    _project(
        a,
        "M-03",
        plan_year=today.year,
        status=ProjectStatus.ACCEPTED,
        progress=Decimal("100"),
        actual_start=start.date(),
        actual_end=start.date(),
    )
    running = _project(
        a,
        "M-00",
        plan_year=today.year - 1,
        status=ProjectStatus.UNDER_CONSTRUCTION,
        budget_central=Decimal("500000"),
        budget_city=Decimal("500000"),
        progress=Decimal("80"),
        actual_start=date(today.year - 1, 5, 1),
    )
    _recorded_before(running, start)
    _project(a, "M-99", plan_year=today.year - 1, status=ProjectStatus.AFTERCARE)  # last year's, finished
    _project(b, "M-10", plan_year=today.year, status=ProjectStatus.UNDER_CONSTRUCTION, budget_central=Decimal("800000"))
    previous = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return Month(today.year, today.month, start, feiyun, previous)


def _download(client, urls, year, month):
    response = client.get(urls["monthly"], {"year": year, "month": month})
    assert response.status_code == 200, getattr(response, "content", b"")[:2000]
    return read_xlsx(response)


def test_it_writes_a_summary_sheet_then_one_sheet_per_street(login, personas, month, urls):
    book = _download(login(personas.bureau), urls, month.year, month.month)
    assert book.sheetnames == [pgettext("sheet name", "Summary"), "安阳街道", "玉海街道"]


def test_it_lists_the_years_projects_and_those_under_construction(login, personas, month, urls):
    sheet = _download(login(personas.bureau), urls, month.year, month.month)["安阳街道"]
    assert [row[0] for row in rows_of(sheet)] == ["M-01", "M-02", "M-03", "M-00"]


def test_it_shows_the_months_progress_from_the_history(login, personas, month, urls, site_issue):
    site_issue(month.feiyun, overdue=True)
    sheet = _download(login(personas.bureau), urls, month.year, month.month)["安阳街道"]
    feiyun, approved = rows_of(sheet)[0], rows_of(sheet)[1]
    code, name, _community, plan_year, status, budget, start, end, change, *dates, overdue = feiyun
    assert (code, name, plan_year, status) == ("M-01", "飞云花园改造", month.year, "施工中")
    assert budget == pytest.approx(80)  # 万元
    assert (start, end, change) == (pytest.approx(0.30), pytest.approx(0.60), pytest.approx(0.30))
    assert dates[0] == datetime(month.year, 1, 1)  # planned start
    assert dates[2] == datetime.combine(timezone.localdate(), datetime.min.time())  # started with the report
    assert overdue == 1
    # Created this month: no progress at the start of it, so the change counts from zero.
    assert approved[6:9] == [None, 0, 0]


def test_it_formats_budget_in_wan_yuan_and_progress_as_percent(login, personas, month, urls):
    sheet = _download(login(personas.bureau), urls, month.year, month.month)["安阳街道"]
    assert sheet["F3"].number_format == '#,##0.00 "万元"'
    assert {sheet[f"{letter}3"].number_format for letter in "GHI"} == {"0.0%"}
    assert sheet["J3"].number_format == "yyyy-mm-dd"


def test_it_totals_each_street_in_the_summary(login, personas, month, urls, site_issue):
    site_issue(Project.objects.get(code="M-10"), overdue=True)
    summary = _download(login(personas.bureau), urls, month.year, month.month).worksheets[0]
    anyang, yuhai, total = rows_of(summary)
    # planned this year, started, completed, budget (万元), progress at start, at end, change, overdue
    assert anyang[:5] == ["安阳街道", 3, 3, 1, pytest.approx(200)]
    # Budget-weighted: (80万 × 30% + 20万 × 0 + 100万 × 80%) / 200万 = 52%, then 64% with 60% on 飞云.
    assert anyang[5:] == [pytest.approx(0.52), pytest.approx(0.64), pytest.approx(0.12), 0]
    assert yuhai == ["玉海街道", 1, 0, 0, pytest.approx(80), 0, 0, 0, 1]
    assert total[0] == _("Total")
    assert total[1:5] == [4, 3, 1, pytest.approx(280)]
    assert total[6] == pytest.approx(128 / 280)


def test_it_shows_a_past_month_as_it_stood_at_that_months_end(login, personas, month, urls):
    year, previous = month.previous
    sheet = _download(login(personas.bureau), urls, year, previous)["安阳街道"]
    feiyun = next(row for row in rows_of(sheet) if row[0] == "M-01")
    assert feiyun[6:9] == [None, pytest.approx(0.30), pytest.approx(0.30)]


def test_it_gives_street_staff_only_their_street(login, personas, month, urls):
    book = _download(login(personas.street_b), urls, month.year, month.month)
    assert book.sheetnames == [pgettext("sheet name", "Summary"), "玉海街道"]
    assert [row[0] for row in rows_of(book.worksheets[0])] == ["玉海街道", _("Total")]


def test_it_refuses_a_month_that_has_not_begun(login, personas, urls):
    today = timezone.localdate()
    year, following = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    response = login(personas.bureau).get(urls["monthly"], {"year": year, "month": following})
    assert response.status_code == 400


def test_it_reads_the_month_in_three_queries(personas, month, django_assert_num_queries):
    bureau = get_user_model().objects.get(pk=personas.bureau.pk)  # nothing cached on the user yet
    with django_assert_num_queries(3):  # staff profile, streets, projects with their history
        report = monthly_report(month.year, month.month, bureau)
    assert [street.name for street in report.streets] == ["安阳街道", "玉海街道"]


def _download_queries(client, urls, year, month) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(urls["monthly"], {"year": year, "month": month})
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_5_and_50_projects(login, personas, urls, site_issue):
    today = timezone.localdate()
    client = login(personas.bureau)
    for _n in range(5):
        site_issue(ProjectFactory(neighbourhood=personas.street_a_place, plan_year=today.year), overdue=True)
    client.get(urls["index"])
    five = _download_queries(client, urls, today.year, today.month)
    for _n in range(45):
        ProjectFactory(neighbourhood=personas.street_b_place, plan_year=today.year)
    assert _download_queries(client, urls, today.year, today.month) == five
