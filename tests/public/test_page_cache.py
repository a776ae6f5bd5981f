"""Who gets a stored page, who gets a fresh one, and what a stored page carries."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from cms.services import project_page_ensure
from renovation.public.cache import depends_on
from renovation.public.middleware import PublicPageCacheMiddleware
from tests.factories import ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_url(personas, page_cache, django_capture_on_commit_callbacks):
    project = ProjectFactory(neighbourhood=personas.street_a_place, name="飞云花园改造")
    WorkItemFactory(project=project, category="building", description="外立面整治")
    with django_capture_on_commit_callbacks(execute=True):
        return project_page_ensure(project=project).url


def test_it_serves_the_second_anonymous_visit_from_the_cache(client, project_url):
    first = client.get(project_url)
    second = client.get(project_url)
    assert (first["X-Public-Cache"], second["X-Public-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"] and "must-revalidate" in second["Cache-Control"]
    assert second["Last-Modified"]
    assert second["Content-Type"].startswith("text/html")


def test_it_answers_304_while_the_page_is_unchanged(client, project_url):
    etag = client.get(project_url)["ETag"]
    revalidated = client.get(project_url, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert client.get(project_url, HTTP_IF_NONE_MATCH='"another"').status_code == 200


def test_it_tells_nginx_the_expiry_before_cache_control_on_a_200_and_a_304(client, project_url):
    """nginx 1.22 reads the headers in order: Cache-Control max-age=0 first made the page
    uncacheable, and nginx then answered a browser's matching If-None-Match with 200."""
    for response in (client.get(project_url), client.get(project_url)):
        names = [name.lower() for name, _value in response.items()]
        assert response["X-Accel-Expires"] == "5"
        assert names.index("x-accel-expires") < names.index("cache-control")
    revalidated = client.get(project_url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert revalidated.status_code == 304
    names = [name.lower() for name, _value in revalidated.items()]
    assert revalidated["X-Accel-Expires"] == "5"
    assert names.index("x-accel-expires") < names.index("cache-control")


def test_it_keeps_one_copy_per_language(client, project_url):
    chinese = client.get(project_url)
    client.cookies["django_language"] = "en"
    english = client.get(project_url)
    assert english["X-Public-Cache"] == "miss"
    assert "改造内容" in chinese.content.decode() and "Works" in english.content.decode()
    assert client.get(project_url)["X-Public-Cache"] == "hit"
    assert "Cookie" in english["Vary"]


def test_it_gives_a_signed_in_visitor_a_fresh_private_page(client, project_url, personas):
    client.get(project_url)
    client.force_login(personas.resident)
    response = client.get(project_url)
    assert "X-Public-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert personas.resident.get_username() in response.content.decode()  # the sign-out button


def test_the_anonymous_copy_carries_no_csrf_token_nor_sets_a_cookie(client, project_url):
    client.get(project_url)
    stored = client.get(project_url)
    assert "csrfmiddlewaretoken" not in stored.content.decode()
    assert not stored.cookies


def test_the_language_switch_works_from_a_stored_page_without_a_token(client, project_url):
    client.get(project_url)
    client.handler.enforce_csrf_checks = True
    response = client.post("/i18n/setlang/", {"language": "en", "next": project_url})
    assert response.status_code == 302
    assert "Works" in client.get(project_url).content.decode()


def test_a_visitor_with_a_pending_message_gets_a_fresh_page(client, project_url):
    client.get(project_url)
    client.cookies["messages"] = "anything"
    assert "X-Public-Cache" not in client.get(project_url)


def _middleware(view):
    return PublicPageCacheMiddleware(view)


def _anonymous_get(path: str = "/nonce/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    return request


def test_it_never_stores_a_response_that_sets_a_cookie(page_cache):
    calls = []

    def view(request):
        calls.append(1)
        depends_on(request, "home")
        response = HttpResponse("<p>hello</p>")
        response.set_cookie("tracking", "1")
        return response

    middleware = _middleware(view)
    middleware(_anonymous_get())
    middleware(_anonymous_get())
    assert len(calls) == 2


def test_it_writes_a_fresh_csp_nonce_into_every_response_of_a_stored_page(page_cache):
    """django-csp puts ``request.csp_nonce`` in the header of each response; the stored page
    must carry that response's nonce, never the one it was first rendered with."""

    def view(request):
        depends_on(request, "home")
        request._csp_nonce = "Zmlyc3Q="  # what django-csp records once the nonce was used
        return HttpResponse('<script nonce="Zmlyc3Q=" src="/static/a.js"></script>')

    middleware = _middleware(view)
    first = _anonymous_get()
    first.csp_nonce = "Zmlyc3Q="
    assert b'nonce="Zmlyc3Q="' in middleware(first).content

    second = _anonymous_get()
    second.csp_nonce = "c2Vjb25k"
    served = middleware(second)
    assert served["X-Public-Cache"] == "hit"
    assert served.content == b'<script nonce="c2Vjb25k" src="/static/a.js"></script>'
    # Without validators: a 304 would pair a browser's old body with a new nonce in the header.
    assert "ETag" not in served and "private" in served["Cache-Control"]


def test_it_serves_pages_fresh_while_the_cache_server_is_down(client, project_url, settings):
    settings.CACHES = {
        **settings.CACHES,
        "public": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    first = client.get(project_url)
    second = client.get(project_url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert "X-Public-Cache" not in second
    assert "飞云花园改造" in second.content.decode()


def test_a_change_still_commits_while_the_cache_server_is_down(personas, settings, django_capture_on_commit_callbacks):
    from renovation.projects.models import Project
    from renovation.projects.services import project_update

    project = ProjectFactory(neighbourhood=personas.street_a_place)
    settings.CACHES = {
        **settings.CACHES,
        "public": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"name": "锦湖小区改造"})
    assert Project.objects.get(pk=project.pk).name == "锦湖小区改造"
