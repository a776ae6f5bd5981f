"""Routing through each process's memo (cms/routing.py): a remembered public page is found in one
query, and nothing the memo remembers serves a page that is no longer there as it was.

"Another process" is this one with its memo kept while the change is made the way another process
would make it: rows written without this process hearing of it (no signal), or the shared version
bumped as another process's commit would bump it. ``routing.forget()`` is a process starting."""

import pytest
from django.db import connection
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction, Site

from cms import routing
from cms.models import HomePage, ProjectIndexPage
from renovation.public.cache import scope_versions, scopes_bump
from tests.factories import ProjectFactory


def _version() -> int:
    return scope_versions([routing.ROUTING])[routing.ROUTING]


def _request(path: str):
    return RequestFactory().get(path, HTTP_HOST="localhost")


def test_it_finds_a_remembered_project_page_in_one_query(published_project, django_assert_num_queries):
    project, page = published_project(items=1)
    routing.route_for_request(_request(page.url), page.url)
    request = _request(page.url)
    index = ProjectIndexPage.objects.get()
    with django_assert_num_queries(1):
        found, args, kwargs = routing.route_for_request(request, page.url)
        # The project came with the page; its parent (the breadcrumbs) from the memo.
        assert found.project.name == project.name
        assert (found.get_parent().pk, found.get_parent().url_path) == (index.pk, index.url_path)
        assert list(found.get_view_restrictions()) == []
    # A routable page's own view, as Wagtail's routing gives it.
    assert (found.pk, args[0].__name__, args[1:], kwargs) == (page.pk, "index_route", ((), {}), {})
    assert request._wagtail_site == Site.objects.get(is_default_site=True)


def test_it_serves_a_remembered_sub_route_and_the_same_page(client, published_project):
    project, page = published_project(items=1)
    first = client.get(page.url + "changes/")
    second = client.get(page.url + "changes/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert project.name in second.content.decode()
    assert client.get(page.url).content == client.get(page.url).content


def test_a_page_unpublished_by_another_process_is_a_404(client, published_project):
    _project, page = published_project(items=1)
    assert client.get(page.url).status_code == 200
    Page.objects.filter(pk=page.pk).update(live=False)  # no signal reaches this process
    assert client.get(page.url).status_code == 404
    assert client.get(page.url + "changes/").status_code == 404


def test_a_page_unpublished_here_is_a_404_and_bumps_the_version(
    client, published_project, django_capture_on_commit_callbacks
):
    _project, page = published_project(items=1)
    assert client.get(page.url).status_code == 200
    before = _version()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert _version() != before
    assert client.get(page.url).status_code == 404


def test_a_draft_is_never_served(client, published_project):
    _project, page = published_project(items=1)
    assert client.get(page.url).status_code == 200
    page.title = "草稿标题"
    page.save_revision()  # a draft of a live page: the live page stays as it was
    assert "草稿标题" not in client.get(page.url).content.decode()
    draft = ProjectIndexPage.objects.get().add_child(
        instance=type(page)(title="未发布", slug="not-published", project=ProjectFactory(), live=False)
    )
    assert draft.url == "/projects/not-published/"
    assert client.get("/projects/not-published/").status_code == 404
    assert client.get("/projects/not-published/").status_code == 404


def test_a_page_moved_by_another_process_is_found_where_it_went(client, published_project):
    _project, page = published_project(items=1)
    old_url = page.url
    assert client.get(old_url).status_code == 200
    # Renamed with no signal this process hears: the remembered route no longer matches its row.
    Page.objects.filter(pk=page.pk).update(slug="renamed", url_path=page.url_path.replace(page.slug, "renamed"))
    assert client.get(old_url).status_code == 404
    assert client.get(old_url.replace(page.slug, "renamed")).status_code == 200


def test_a_page_moved_in_wagtail_leaves_its_old_url(client, published_project, django_capture_on_commit_callbacks):
    _project, page = published_project(items=1)
    old_url = page.url
    assert client.get(old_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page.move(HomePage.objects.get(), pos="last-child")
    page.refresh_from_db()
    moved = client.get(old_url)  # Wagtail's redirect to where it went, not the page
    assert (moved.status_code, moved["Location"]) == (301, page.url)
    assert client.get(page.url).status_code == 200


def test_a_page_restricted_by_another_process_asks_for_the_login(client, published_project):
    _project, page = published_project(items=1)
    assert client.get(page.url).status_code == 200
    PageViewRestriction.objects.bulk_create(  # bulk: no signal, no version bump
        [PageViewRestriction(page=ProjectIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN)]
    )
    assert client.get(page.url).status_code == 302
    assert client.get(page.url + "changes/").status_code == 302
    assert client.get("/projects/").status_code == 302


def test_a_restricted_alias_source_still_guards_the_alias(client, published_project):
    published_project(items=1)
    index = ProjectIndexPage.objects.get()
    alias = index.create_alias(parent=HomePage.objects.get(), update_slug="projects-alias")
    url = "/projects-alias/"
    assert client.get(url).status_code == 200
    PageViewRestriction.objects.bulk_create([PageViewRestriction(page=index, restriction_type="login")])
    assert alias.alias_of_id == index.pk
    assert client.get(url).status_code == 302


def test_a_page_deleted_by_another_process_is_a_404(client, published_project):
    _project, page = published_project(items=1)
    assert client.get(page.url).status_code == 200
    Page.objects.filter(pk=page.pk).delete()
    assert client.get(page.url).status_code == 404


def test_a_site_changed_by_another_process_is_read_again_after_its_bump(client, published_project):
    _project, page = published_project(items=1)
    assert client.get(page.url, HTTP_HOST="localhost").status_code == 200
    home = HomePage.objects.get()
    Site.objects.update(root_page=home.get_children().get(slug="projects"))  # no signal here
    scopes_bump([routing.ROUTING])  # what the other process's commit does
    # The index is now the site's root: the project is one level up.
    assert client.get(page.url, HTTP_HOST="localhost").status_code == 404
    assert client.get("/" + page.slug + "/", HTTP_HOST="localhost").status_code == 200


def test_a_site_saved_here_bumps_the_version(django_capture_on_commit_callbacks, site_tree):
    before = _version()
    with django_capture_on_commit_callbacks(execute=True):
        Site.objects.get(is_default_site=True).save()
    assert _version() != before


def test_a_new_process_reads_the_tree_again(published_project, django_assert_num_queries):
    _project, page = published_project(items=1)
    routing.route_for_request(_request(page.url), page.url)
    routing.forget()
    with django_assert_num_queries(4):  # the site, the home page, the index, the project page
        routing.route_for_request(_request(page.url), page.url)


def test_wagtails_own_urls_are_not_taken_for_pages(client, published_project):
    _project, page = published_project(items=1)
    restriction = PageViewRestriction.objects.create(page=page, restriction_type="password", password="s3cret")
    form_url = f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/"
    response = client.post(form_url, {"password": "s3cret", "return_url": page.url})
    assert (response.status_code, response["Location"]) == (302, page.url)
    assert client.get(page.url).status_code == 200
    assert client.get("/_util/login/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements prepared on the server: PostgreSQL")
def test_it_prepares_the_routing_query_once_per_connection(client, published_project):
    from django.db import connection

    def prepared() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
            return {statement: runs for statement, runs in cursor.fetchall() if "routing_guarded" in statement}

    _project, page = published_project(items=1)
    for _request in range(3):
        assert client.get(page.url).status_code == 200  # routed by Wagtail once, then by the memo
    [(statement, runs)] = prepared().items()
    assert "$1" in statement  # the values bound on the server
    assert client.get(page.url).status_code == 200
    assert prepared() == {statement: runs + 1}  # the same statement run again
    for _request in range(2):  # another path (routed by Wagtail first), another statement
        assert client.get(page.url + "payments/").status_code == 200
    assert len(prepared()) == 2 and prepared()[statement] == runs + 1
