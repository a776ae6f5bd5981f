"""A notice moved from one project to another leaves the old project's page too (cms/cache.py)."""

import pytest

from cms.services import notice_publish

pytestmark = pytest.mark.django_db


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _move(notice, project) -> None:
    """An editor changes the notice's project in Wagtail and publishes it."""
    draft = notice.get_latest_revision_as_object()
    draft.project = project
    draft.street = project.neighbourhood.community.street
    draft.save_revision().publish()


def test_it_takes_a_moved_notice_off_the_old_projects_page(client, scene, personas, django_capture_on_commit_callbacks):
    old_url, new_url = scene.project_urls(scene.tendered)[0], scene.project_urls(scene.supervised)[0]
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_publish(
            actor=personas.bureau, title="东门临时封闭的通知", paragraphs=["东门封闭三天。"], project=scene.tendered
        )
    for url in (old_url, new_url):
        _get(client, url)
        assert _get(client, url)["X-Public-Cache"] == "hit"
    assert "东门临时封闭的通知" in _get(client, old_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        _move(notice, scene.supervised)

    old, new = _get(client, old_url), _get(client, new_url)
    assert (old["X-Public-Cache"], new["X-Public-Cache"]) == ("miss", "miss")
    assert "东门临时封闭的通知" not in old.content.decode()
    assert "东门临时封闭的通知" in new.content.decode()


def test_it_leaves_other_projects_pages_cached_when_a_notice_is_only_edited(
    client, scene, personas, django_capture_on_commit_callbacks
):
    old_url, new_url = scene.project_urls(scene.tendered)[0], scene.project_urls(scene.supervised)[0]
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_publish(
            actor=personas.bureau, title="东门临时封闭的通知", paragraphs=["东门封闭三天。"], project=scene.tendered
        )
    for url in (old_url, new_url):
        _get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        draft = notice.get_latest_revision_as_object()
        draft.title = "东门临时封闭五天的通知"
        draft.save_revision().publish()
    assert _get(client, new_url)["X-Public-Cache"] == "hit"
    assert "东门临时封闭五天的通知" in _get(client, old_url).content.decode()
