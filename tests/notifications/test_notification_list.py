"""A signed-in user's notifications: paged, the unread ones marked and counted in the header,
marked read one by one, all at once, or by opening them; never a raw digest."""

from datetime import timedelta

import pytest
from django.utils import timezone

from renovation.notifications.models import Notification
from renovation.notifications.services import follow_start, notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notes(user, count, **fields):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=user, title=f"通知{index}", url="/projects/", created_at=now - timedelta(minutes=index), **fields
        )
        for index in range(count)
    )


def test_it_pages_the_notifications(client, personas):
    _notes(personas.resident, 35)
    client.force_login(personas.resident)
    first = client.get("/notifications/").content.decode()
    assert "通知0<" in first and "通知29<" in first and "通知30<" not in first
    assert "第 1 页，共 2 页" in first
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert "通知34<" in second and "通知0<" not in second


def test_it_shows_only_the_unread_ones_on_the_unread_tab(client, personas):
    read, unread = _notes(personas.resident, 2)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    client.force_login(personas.resident)
    page = client.get("/notifications/", {"show": "unread"}).content.decode()
    assert f"{unread.title}<" in page and f"{read.title}<" not in page


def test_it_marks_one_read_and_the_header_counts_the_rest(client, personas):
    first, second = _notes(personas.resident, 2)
    client.force_login(personas.resident)
    assert 'aria-label="2 条未读"' in client.get("/").content.decode()
    response = client.post("/notifications/read/", {"id": first.pk, "next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert 'aria-label="1 条未读"' in client.get("/notifications/").content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, personas):
    (note,) = _notes(personas.resident, 1)
    client.force_login(personas.resident)
    response = client.post("/notifications/read/", {"id": note.pk, "next": note.url})
    assert response["Location"] == "/projects/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_it_marks_all_read_but_only_the_users_own(client, personas):
    _notes(personas.resident, 3)
    other = UserFactory()
    _notes(other, 1)
    client.force_login(personas.resident)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=personas.resident, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_it_never_prints_a_whole_digest(client, personas):
    digest = "a3f1" * 16
    notify(recipients=[personas.resident], title="旧通知", body=f"摘要（SHA-256）：{digest}")
    client.force_login(personas.resident)
    page = client.get("/notifications/").content.decode()
    assert digest not in page and "a3f1a3f1…" in page


def test_it_lists_what_the_user_follows(client, personas, followed_project):
    project, _url = followed_project
    follow_start(actor=personas.resident, project=project)
    follow_start(actor=personas.resident, street=personas.street_b_place.community.street)
    client.force_login(personas.resident)
    page = client.get("/notifications/").content.decode()
    assert "飞云花园改造" in page and "玉海街道" in page and page.count("取消关注") >= 2


def test_the_public_is_sent_to_sign_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_costs_the_same_queries_for_more_notifications(
    client, personas, followed_project, count, django_assert_num_queries
):
    project, _url = followed_project
    _notes(personas.resident, count)
    follow_start(actor=personas.resident, project=project)
    follow_start(actor=personas.resident, street=personas.street_b_place.community.street)
    client.force_login(personas.resident)
    client.get("/notifications/")
    with django_assert_num_queries(QUERIES):
        assert client.get("/notifications/", {"page": 1}).status_code == 200


QUERIES = 8  # session, user, unread count (header), page count, page rows, follows, and the page frame (2)
