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


def _double_text(page) -> None:
    """200% system text: the root font size doubled (CSSOM, which the page's CSP does not block)."""
    page.evaluate(
        "() => { const root = document.documentElement;"
        " root.style.fontSize = (parseFloat(getComputedStyle(root).fontSize) * 2) + 'px'; }"
    )


def _one_line_labels(page) -> None:
    lines = page.eval_on_selector_all(
        ".household-card__choice-text", "spans => spans.map(s => [s.textContent.trim(), s.getClientRects().length])"
    )
    assert lines and all(count == 1 for _text, count in lines), lines


def test_a_resident_reads_what_is_decided_and_keeps_or_replaces_the_paper_answer_on_a_phone(
    phone, live_server, personas
):
    from decimal import Decimal

    from renovation.consultation.services import intent_record
    from tests.factories import WorkItemFactory

    project = ProjectFactory(
        neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING, budget_resident=Decimal("96000")
    )
    WorkItemFactory(project=project, category="building", description="外墙保温及屋面防水")
    WorkItemFactory(project=project, category="networks", description="雨污分流改造")
    household = HouseholdFactory(neighbourhood=personas.street_a_place, resident=personas.resident)
    intent_record(actor=personas.street_a, project=project, household=household, choice="agree", channel="paper")

    phone.goto(f"{live_server.url}/accounts/login/?next=/consultation/{project.pk}/")
    phone.fill("input[name=username]", "resident")
    phone.fill("input[name=password]", "pw")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/consultation/{project.pk}/")

    # What is decided comes before the question, and the paper answer is shown.
    brief = phone.locator(".household-brief").bounding_box()
    question = phone.locator("text=您是否同意改造？").bounding_box()
    assert brief["y"] < question["y"]
    assert "外墙保温及屋面防水" in phone.inner_text(".household-brief")
    assert "纸质意向书" in phone.inner_text(".household-card__paper")
    _no_horizontal_scroll(phone)
    _one_line_labels(phone)

    _double_text(phone)
    _no_horizontal_scroll(phone)
    _one_line_labels(phone)

    phone.check(f"input[name=i{household.pk}-choice][value=disagree]")
    phone.click("text=提交我的意愿")
    phone.wait_for_selector("text=请勾选确认")
    assert Intent.objects.get().choice == "agree"  # kept: not confirmed
    phone.check(f"input[name=i{household.pk}-choice][value=disagree]")
    phone.check(f"input[name=i{household.pk}-replace_paper]")
    phone.click("text=提交我的意愿")
    phone.wait_for_selector("text=谢谢，您家的意愿已登记。")
    assert (Intent.objects.get().choice, Intent.objects.get().channel) == ("disagree", "online")
