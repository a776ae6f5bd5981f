"""A page staff restrict in Wagtail (login, password or groups) stays private: its own URL asks for
the login, and no public listing names it or links to it (the project index and its map, the home
page's latest updates)."""

from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import resolve_url
from django.urls import reverse
from wagtail.models import PageViewRestriction

from cms.documents import DocumentKind
from cms.models import HomePage, ProjectIndexPage
from cms.selectors import document_is_public
from cms.services import project_document_add


@pytest.fixture(autouse=True)
def _no_page_cache():
    cache.clear()
    yield
    cache.clear()


def _restrict(page, kind=PageViewRestriction.LOGIN, **fields):
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, **fields)


def test_a_restricted_project_page_asks_for_the_login(client, published_project):
    _project, page = published_project(items=1)
    _restrict(page)
    response = client.get(page.url)
    assert response.status_code == 302
    login, _, query = response["Location"].partition("?")
    assert login == (
        resolve_url(getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", ""))
        if getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", "")
        else reverse("wagtailcore_login")
    )
    assert parse_qs(query)["next"] == [page.url]


def test_a_page_under_a_restricted_index_asks_for_the_password(client, published_project):
    project, page = published_project(items=1)
    _restrict(ProjectIndexPage.objects.get(), PageViewRestriction.PASSWORD, password="s3cret")
    response = client.get(page.url)
    assert response.status_code == 200
    assert project.name not in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_the_index_and_its_map_leave_out_a_restricted_project(client, published_project):
    public, _ = published_project(items=1, name="公开小区改造项目")
    private, page = published_project(items=1, name="内部小区改造项目")
    _restrict(page)
    html = client.get("/projects/").content.decode()
    assert public.name in html
    assert private.name not in html
    assert page.url not in html


def test_the_home_page_links_no_update_of_a_restricted_project(client, published_project):
    _public, public_page = published_project(items=1, name="公开小区改造项目")
    _private, page = published_project(items=1, name="内部小区改造项目")
    _restrict(page)
    html = client.get(HomePage.objects.get().url).content.decode()
    assert public_page.url in html
    assert page.url not in html


def test_the_notices_and_the_search_leave_out_a_restricted_notice(client, notice):
    public = notice(title="关于公开小区停水的通知")
    private = notice(title="关于内部小区停水的通知")
    _restrict(private)
    html = client.get(public.get_parent().url).content.decode()
    assert public.title in html
    assert private.title not in html
    found = client.get("/search/", {"q": "停水", "type": "notices"}).content.decode()
    assert public.title in found
    assert private.title not in found


def test_restricting_a_page_after_it_was_cached_takes_it_off_the_stored_pages(client, published_project, settings):
    project, page = published_project(items=1, name="内部小区改造项目")
    assert client.get(page.url).status_code == 200
    assert project.name in client.get("/projects/").content.decode()
    restriction = _restrict(page)
    assert client.get(page.url).status_code == 302
    assert project.name not in client.get("/projects/").content.decode()
    restriction.delete()
    assert client.get(page.url).status_code == 200


def test_the_search_and_the_file_leave_out_a_document_of_a_restricted_page(client, personas, published_project, upload):
    public, _ = published_project(items=1)
    private, page = published_project(items=1)
    shown = upload("公开小区改造方案", "shown.pdf")
    hidden = upload("内部小区改造方案", "hidden.pdf")
    project_document_add(actor=personas.bureau, project=public, document=shown, kind=DocumentKind.PLAN)
    project_document_add(actor=personas.bureau, project=private, document=hidden, kind=DocumentKind.PLAN)
    _restrict(page)
    found = client.get("/search/", {"q": "改造方案", "type": "documents"}).content.decode()
    assert shown.title in found
    assert hidden.title not in found
    assert document_is_public(shown)
    assert not document_is_public(hidden)
