"""The project page as a resident meets it on a 360 px phone (issue 15 item 1): the first screen
answers how the project stands, nothing scrolls sideways, the table of contents leads to its sections."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.services import project_page_ensure
from renovation.finance.models import EntryKind, LedgerEntry
from renovation.projects.models import ProjectStatus
from tests.factories import ProjectFactory, WorkItemFactory
from tests.finance.factories import contract_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]

PHONE_WIDTH = 360
FIRST_SCREEN = 640


@pytest.fixture
def late_project(personas):
    today = timezone.localdate()
    project = ProjectFactory(
        neighbourhood=personas.street_a_place,
        name="飞云花园综合改造",
        status=ProjectStatus.UNDER_CONSTRUCTION,
        planned_start=today - timedelta(days=300),
        planned_end=today - timedelta(days=40),
        actual_start=today - timedelta(days=290),
        budget_central=Decimal("2000000"),
    )
    item = WorkItemFactory(project=project, category="building", description="外立面保温修缮", budget=Decimal("800000"))
    WorkItemFactory(project=project, category="roads", description="道路黑化与停车位", budget=Decimal("400000"))
    contract = contract_for(project, "900000.00", company="瑞安市建筑工程有限公司")
    contract.work_items.set([item])
    LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.PAYMENT,
        amount=Decimal("300000.00"),
        booked_on=date(2024, 2, 1),
        counterparty="瑞安市建筑工程有限公司",
        purpose="进度款",
        contract=contract,
    )
    return project_page_ensure(project=project)


def _bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box["y"] + box["height"]


def test_the_first_phone_screen_says_how_the_project_stands(phone, live_server, late_project):
    assert phone.goto(f"{live_server.url}{late_project.url}").status == 200
    answer = phone.locator(".project-answer")
    for label, expected in [
        ("状态", "施工中"),
        ("进度", "%"),
        ("计划完工", "逾期 40 天"),
        ("下一步", "外立面保温修缮"),
        ("施工单位", "瑞安市建筑工程有限公司"),
        ("已付/预算", "30.00 万元"),
    ]:
        row = answer.locator(".project-answer__row", has=phone.locator("dt", has_text=label))
        assert expected in row.inner_text(), f"{label}: {row.inner_text()!r}"
        assert _bottom(row) <= FIRST_SCREEN, f"{label} ends at {_bottom(row)}px, below the first screen"


def test_the_project_page_does_not_scroll_sideways_on_a_phone(phone, live_server, late_project):
    phone.goto(f"{live_server.url}{late_project.url}")
    for fold in phone.locator("details.fold").all():  # opened, every section must fit too
        fold.locator("summary").first.click()
    width = phone.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert width <= PHONE_WIDTH, f"the project page is {width}px wide on a {PHONE_WIDTH}px phone"


def test_the_table_of_contents_leads_to_each_section(phone, live_server, late_project):
    phone.goto(f"{live_server.url}{late_project.url}")
    links = phone.locator(".project-toc__list a[href^='#']")
    targets = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert "#works" in targets and "#finance" in targets
    for target in targets:
        phone.locator(f".project-toc__list a[href='{target}']").click()
        assert phone.evaluate("location.hash") == target
        section = phone.locator(target)
        box = section.bounding_box()
        assert box is not None and -2 <= box["y"] < 740, f"{target} is not scrolled into view: {box}"
        phone.evaluate("window.scrollTo(0, 0)")
    phone.locator(".project-toc__list a", has_text="变更记录").click()
    phone.wait_for_url(f"**{late_project.url}changes/")
