"""Supervisors and the public use phones: every page fits a 360 px screen and the report form
works end to end in a real browser."""

import io

import pytest
from PIL import Image

from cms.services import project_page_ensure
from renovation.supervision.models import SiteIssue
from renovation.supervision.services import site_issue_accept

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]


PHONE_WIDTH = 360


def _no_horizontal_scroll(page) -> None:
    # On a mobile viewport an overflowing page widens the layout viewport itself, so compare with
    # the phone's width, not with window.innerWidth.
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/supervise/")


def test_public_pages_fit_a_phone(phone, live_server, personas, cast, reported_issue):
    page_obj = project_page_ensure(project=cast.project)
    site_issue_accept(actor=personas.street_a, issue=reported_issue())
    for path in ("/", "/projects/", page_obj.url):
        response = phone.goto(f"{live_server.url}{path}")
        assert response.status == 200
        _no_horizontal_scroll(phone)
    assert "before-after" in phone.content()  # the project page with its published issue


def test_a_supervisor_reports_an_issue_from_a_phone(phone, live_server, cast, tmp_path):
    _sign_in(phone, live_server, "supervisor")
    _no_horizontal_scroll(phone)
    phone.click("text=📷")
    phone.wait_for_url(f"{live_server.url}/supervise/report/")
    _no_horizontal_scroll(phone)

    photo = tmp_path / "IMG_0001.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "gray").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    phone.check("input[name=category][value=safety]")
    phone.check("input[name=severity][value=urgent]")
    phone.fill("textarea[name=description]", "脚手架未设防护网")
    phone.fill("input[name=location]", "5幢北侧")
    phone.set_input_files("input[name=photos]", [str(photo), str(photo)])
    phone.click("main button[type=submit]")

    issue = SiteIssue.objects.get()
    phone.wait_for_url(f"{live_server.url}/supervise/issues/{issue.pk}/")
    assert issue.photos.count() == 2
    assert "脚手架未设防护网" in phone.content()
    _no_horizontal_scroll(phone)


def test_a_bad_photo_keeps_what_the_supervisor_typed(phone, live_server, cast, tmp_path):
    _sign_in(phone, live_server, "supervisor")
    phone.goto(f"{live_server.url}/supervise/report/")
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a photo")
    phone.check("input[name=category][value=quality]")
    phone.fill("textarea[name=description]", "外墙开裂")
    phone.fill("input[name=location]", "3幢")
    phone.set_input_files("input[name=photos]", [str(fake)])
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert "notes.jpg" in phone.content()
    assert phone.input_value("textarea[name=description]") == "外墙开裂"
    assert not SiteIssue.objects.exists()
    _no_horizontal_scroll(phone)
