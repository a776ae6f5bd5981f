"""一户一码 end to end on a 360 px phone: street staff print the letters, a resident joins with
the code and the SMS code (read from the locmem outbox), records the household's intent, and
the public tally moves."""

import pytest

from cms.services import project_page_ensure
from renovation import sms
from renovation.projects.models import ProjectStatus
from tests.browser.test_mobile_pages import _no_horizontal_scroll
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]


def _agree_figure(phone) -> str:
    figures = phone.locator("#consultation .tally .figure__value")
    return figures.nth(2).inner_text() if figures.count() else "0"


def test_a_resident_joins_with_the_household_code_and_gives_the_intent(browser, phone, live_server, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    households = HouseholdFactory.create_batch(2, neighbourhood=personas.street_a_place)
    other = HouseholdFactory(neighbourhood=personas.street_a_place)
    page = project_page_ensure(project=project)
    from renovation.consultation import services

    services.intent_record(
        actor=personas.street_a, project=project, household=other, choice="disagree", channel="paper"
    )
    phone.goto(f"{live_server.url}{page.url}")
    assert _agree_figure(phone) == "0"

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    staff.goto(f"{live_server.url}/admin/login/")
    staff.fill("input[name=username]", "staff_a")
    staff.fill("input[name=password]", "pw")
    staff.click("button[type=submit]")
    staff.wait_for_url(f"{live_server.url}/admin/")
    staff.goto(f"{live_server.url}/admin/consultation/letters/")
    staff.select_option("select[name=neighbourhood]", str(personas.street_a_place.pk))
    staff.check("input[name=scope][value=all]")
    staff.check("input[name=output][value=html]")
    staff.click(".join-letters-form button[type=submit]")
    staff.wait_for_selector(".join-letter")
    assert staff.locator(".join-letter").count() == 3
    code = staff.inner_text(f"[data-household='{households[0].pk}'] [data-join-code]")
    desk.close()

    sms.outbox.clear()
    phone.goto(f"{live_server.url}/accounts/join/?code={code}")
    _no_horizontal_scroll(phone)
    assert "个人信息保护" in phone.content()
    phone.fill("input[name=number]", "13812341234")
    phone.check("input[name=consent]")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/accounts/join/confirm/")
    _no_horizontal_scroll(phone)
    phone.fill("input[name=sms_code]", sms.outbox[-1].params["code"])
    phone.fill("input[name=password1]", "Feiyun-2026!")
    phone.fill("input[name=password2]", "Feiyun-2026!")
    phone.click("main form.stack-form button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/consultation/")
    phone.click(f"a[href='/consultation/{project.pk}/']")
    phone.wait_for_url(f"{live_server.url}/consultation/{project.pk}/")
    phone.check(f"input[name=i{households[0].pk}-choice][value=agree]")
    phone.click("text=提交我的意愿")
    phone.wait_for_selector("text=谢谢，您家的意愿已登记。")

    phone.goto(f"{live_server.url}{page.url}")
    assert _agree_figure(phone) == "1"
