"""Residents answer from their phones: the consultation section and the household page fit a
360 px screen, and giving the household's intent takes one tap and one button."""

import pytest

from cms.services import project_page_ensure
from renovation.consultation.models import Intent
from renovation.projects.models import ProjectStatus
from tests.browser.test_mobile_pages import _no_horizontal_scroll
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]


def test_a_linked_resident_gives_the_households_intent_from_a_phone(phone, live_server, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    household = HouseholdFactory(neighbourhood=personas.street_a_place, resident=personas.resident)
    page = project_page_ensure(project=project)

    phone.goto(f"{live_server.url}{page.url}")
    _no_horizontal_scroll(phone)
    assert "改不改：住户意愿" in phone.content()

    phone.goto(f"{live_server.url}/accounts/login/?next=/consultation/{project.pk}/")
    phone.fill("input[name=username]", "resident")
    phone.fill("input[name=password]", "pw")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/consultation/{project.pk}/")
    _no_horizontal_scroll(phone)
    phone.check(f"input[name=i{household.pk}-choice][value=agree]")
    phone.click("text=提交我的意愿")
    phone.wait_for_selector("text=谢谢，您家的意愿已登记。")
    _no_horizontal_scroll(phone)
    assert Intent.objects.get().choice == "agree"
