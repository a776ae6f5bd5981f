"""The admin's Reports page and who may download: bureau and street staff, nobody else."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.utils.translation import gettext as _

from renovation.reports.wagtail_hooks import register_reports_menu_item
from tests.factories import UserFactory
from tests.reports.conftest import header_of, read_xlsx

DOWNLOADS = ("ledger", "monthly", "issues")


def _menu_shown_to(user) -> bool:
    request = RequestFactory().get("/admin/")
    request.user = user
    return register_reports_menu_item().is_shown(request)


def test_it_shows_the_menu_item_to_bureau_and_street_staff_only(personas):
    assert _menu_shown_to(personas.bureau)
    assert _menu_shown_to(personas.street_a)
    assert not _menu_shown_to(personas.resident)


def test_it_lists_the_exports_with_their_filter_forms(login, personas, urls):
    response = login(personas.street_a).get(urls["index"])
    assert response.status_code == 200
    page = response.content.decode()
    for name in DOWNLOADS:
        assert f'action="{urls[name]}"' in page
    assert 'name="street"' in page and 'name="month"' in page and 'name="reported_from"' in page
    assert "安阳街道" in page and "玉海街道" not in page  # street staff choose only their own street


def test_it_points_to_each_tenders_own_records(login, personas, urls):
    page = login(personas.bureau).get(urls["index"]).content.decode()
    assert _("Tender records") in page and 'href="/admin/tender/"' in page


@pytest.mark.parametrize("name", ("index", *DOWNLOADS))
def test_it_sends_anonymous_visitors_to_the_login(client, db, urls, name):
    response = client.get(urls[name])
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("name", ("index", *DOWNLOADS))
def test_it_keeps_residents_out(login, personas, urls, name):
    response = login(personas.resident).get(urls[name])
    assert response.status_code == 302  # no admin access: Wagtail sends them to the login
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("name", ("index", *DOWNLOADS))
def test_it_refuses_admin_users_who_are_not_staff(login, db, urls, name):
    editor = UserFactory(username="page_editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    response = login(editor).get(urls[name], {"year": 2026, "month": 1})
    assert response.status_code == 403
    assert not response.streaming


def test_it_writes_english_headers_for_an_english_admin(login, personas, ledger, urls):
    client = login(personas.bureau)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(urls["ledger"])
    sheet = read_xlsx(response).worksheets[0]
    assert header_of(sheet)[:3] == ["Project code", "Project name", "Street"]
    assert sheet["A1"].value.startswith("Project ledger")
    assert 'filename="project-ledger-' in response["Content-Disposition"]
