"""Anyone signed in (residents too) follows a project or a street from its public page; the public
is sent to sign in; the stored public page stays the same for everyone."""

import pytest

from renovation.notifications.models import Follow

pytestmark = pytest.mark.django_db


def _switch(client, *, action="follow", **target):
    return client.post("/notifications/follow/", {"action": action, "next": "/back/", **target})


def test_it_lets_a_resident_follow_a_project_from_its_page(client, personas, followed_project):
    project, url = followed_project
    client.force_login(personas.resident)
    page = client.get(url).content.decode()
    assert 'action="/notifications/follow/"' in page and "关注飞云花园改造" in page
    response = client.post(
        "/notifications/follow/", {"project": project.pk, "action": "follow", "next": url}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert Follow.objects.filter(user=personas.resident, project=project).exists()
    assert "已关注飞云花园改造" in response.content.decode()  # the button now offers to stop


def test_it_lets_a_follower_stop_following(client, personas, followed_project):
    project, _url = followed_project
    client.force_login(personas.resident)
    _switch(client, project=project.pk)
    _switch(client, project=project.pk)  # a second click changes nothing
    assert Follow.objects.filter(user=personas.resident).count() == 1
    assert _switch(client, action="unfollow", project=project.pk).status_code == 302
    assert not Follow.objects.exists()


def test_it_lets_staff_follow_a_street_from_the_project_list(client, personas, followed_project):
    client.force_login(personas.street_b)
    page = client.get("/projects/", {"street": "anyang"}).content.decode()
    assert 'name="street" value="anyang"' in page
    _switch(client, street="anyang")
    assert Follow.objects.get(user=personas.street_b).street.code == "anyang"


def test_it_sends_the_public_to_sign_in_and_back(client, followed_project):
    project, url = followed_project
    page = client.get(url).content.decode()
    assert "/accounts/login/?next=" in page and 'action="/notifications/follow/"' not in page
    response = client.post("/notifications/follow/", {"project": project.pk, "action": "follow", "next": url})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"project": "x"}, {"street": "nowhere"}, {"project": "999999"}, {"action": "follow"}, {"street": ""}],
)
def test_it_answers_a_bad_follow_with_a_message_not_an_error(client, personas, followed_project, data):
    _project, _url = followed_project
    client.force_login(personas.resident)
    response = client.post(
        "/notifications/follow/", {"action": "follow", "next": "/notifications/", **data}, follow=True
    )
    assert response.status_code == 200 and 'class="message message--error"' in response.content.decode()
    assert not Follow.objects.exists()


def test_it_refuses_both_a_project_and_a_street_at_once(client, personas, followed_project):
    project, _url = followed_project
    client.force_login(personas.resident)
    response = _switch(client, project=project.pk, street="anyang")
    assert response.status_code == 302 and not Follow.objects.exists()


def test_the_stored_public_page_has_no_personal_switch(client, personas, followed_project, page_cache):
    project, url = followed_project
    first = client.get(url)
    second = client.get(url)
    assert second["X-Public-Cache"] == "hit" and second.content == first.content
    assert "csrfmiddlewaretoken" not in second.content.decode()
    client.force_login(personas.resident)
    _switch(client, project=project.pk)
    fresh = client.get(url)
    assert "X-Public-Cache" not in fresh and "private" in fresh["Cache-Control"]
    assert "已关注飞云花园改造" in fresh.content.decode()
