"""A resident follows a project on a phone, hears of its confirmed progress, opens the news (which
marks it read) and pages through the tenders filtered by street, without scrolling sideways."""

from decimal import Decimal

import pytest

from cms.services import project_page_ensure
from renovation.projects.services import progress_report_confirm, progress_report_submit
from tests.factories import ProjectFactory, WorkItemFactory

from .test_mobile_pages import _no_horizontal_scroll

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]


def test_a_resident_follows_a_project_and_reads_its_news_on_a_phone(phone, live_server, personas, tender_cast):
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造")
    item = WorkItemFactory(project=project, description="外立面整治")
    url = project_page_ensure(project=project).url
    phone.goto(f"{live_server.url}{url}")
    phone.click(".follow-switch__button")  # the public is asked to sign in first, then comes back
    phone.fill("input[name=username]", "resident")
    phone.fill("input[name=password]", "pw")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}{url}")
    phone.click(".follow-switch__button")
    phone.wait_for_load_state()
    assert "已关注飞云花园改造" in phone.locator(".follow-switch__button").inner_text()
    _no_horizontal_scroll(phone)

    report = progress_report_submit(actor=personas.bureau, work_item=item, percent=Decimal("55"))
    progress_report_confirm(actor=personas.bureau, report=report)
    phone.goto(f"{live_server.url}/notifications/")
    assert phone.locator(".site-header .site-nav__count").inner_text() == "1"
    title = phone.locator(".notification-list__title").first
    assert title.inner_text() == "飞云花园改造：“外立面整治”的进度已确认为 55%"
    _no_horizontal_scroll(phone)
    title.click()
    phone.wait_for_url(f"{live_server.url}{url}")
    assert phone.locator(".site-header .site-nav__count").count() == 0  # read now

    phone.goto(f"{live_server.url}/tenders/?street=anyang")
    assert tender_cast.tender.title in phone.content()
    _no_horizontal_scroll(phone)
    # A bad filter is named at the top and left out; the list still shows.
    phone.goto(f"{live_server.url}/tenders/?street=nowhere&year=x")
    assert "未能使用" in phone.locator(".tender-filters__errors").inner_text()
    assert tender_cast.tender.title in phone.content()
    _no_horizontal_scroll(phone)
