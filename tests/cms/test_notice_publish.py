from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail import hooks

from cms.models import NoticePage


def test_it_lists_published_notices_newest_first(client, notice, personas):
    notice(
        "安阳街道老旧小区改造工作推进会召开",
        street=personas.street_a_place.community.street,
        notice_date=date(2026, 3, 1),
    )
    notice("关于2026年改造计划的公示", notice_date=date(2026, 4, 1))
    html = client.get("/notices/").content.decode()
    assert html.index("关于2026年改造计划的公示") < html.index("安阳街道老旧小区改造工作推进会召开")
    assert "全市" in html  # a notice without a street is to the whole city


def test_it_filters_notices_by_street(client, notice, personas):
    notice("安阳街道通知", street=personas.street_a_place.community.street)
    notice("玉海街道通知", street=personas.street_b_place.community.street)
    html = client.get("/notices/?street=anyang").content.decode()
    assert "安阳街道通知" in html and "玉海街道通知" not in html


def test_it_pages_the_notice_list(client, notice, monkeypatch):
    from cms import notices

    assert notices.NOTICES_PAGE_SIZE == 20
    # Three notices on pages of two page as twenty-one do on pages of twenty, at a seventh of the
    # Wagtail pages to publish.
    monkeypatch.setattr(notices, "NOTICES_PAGE_SIZE", 2)
    for number in range(3):
        notice(f"第{number}号通知", slug=f"notice-{number}")
    first = client.get("/notices/").content.decode()
    assert 'rel="next"' in first
    assert "第0号通知" not in first  # the oldest is on page two
    assert "第0号通知" in client.get("/notices/?page=2").content.decode()


def test_it_reads_the_notice_list_in_a_fixed_number_of_queries(client, notice, personas):
    notice("第一号通知", project=None, street=personas.street_a_place.community.street)
    client.get("/notices/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/notices/").status_code == 200
    for number in range(6):
        notice(f"更多通知{number}", street=personas.street_b_place.community.street, slug=f"more-{number}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/notices/").status_code == 200
    assert len(many) == len(few)


def test_it_shows_a_notice_with_its_body_and_attachment(client, notice, upload):
    document = upload("停水安排表", "停水安排表.pdf")
    page = notice(paragraphs=["6月3日8时至18时停水。"], attachments=[document])
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "6月3日8时至18时停水。" in html
    assert "附件" in html and "停水安排表" in html and document.url in html
    assert client.get(document.url).status_code == 200


def test_it_shows_a_projects_notices_on_the_project_page(client, notice, published_project):
    project, page = published_project(items=1)
    notice("飞云花园改造开工公告", project=project)
    html = client.get(page.url).content.decode()
    assert "飞云花园改造开工公告" in html


def test_it_tells_the_notice_published_hook_after_commit(notice, django_capture_on_commit_callbacks):
    heard = []

    def listener(*, notice):
        heard.append(notice.title)

    with hooks.register_temporarily("notice_published", listener), django_capture_on_commit_callbacks(execute=True):
        notice("关于征求改造方案意见的公告")
    assert heard == ["关于征求改造方案意见的公告"]


def test_it_keeps_street_staff_to_notices_of_their_own_street(notice, personas):
    notice("安阳街道通知", actor=personas.street_a, street=personas.street_a_place.community.street)
    with pytest.raises(PermissionDenied, match="您无权发布这条通知"):
        notice("玉海街道通知", actor=personas.street_a, street=personas.street_b_place.community.street)
    with pytest.raises(PermissionDenied, match="您无权发布这条通知"):
        notice("全市通知", actor=personas.street_a)
    assert list(NoticePage.objects.values_list("title", flat=True)) == ["安阳街道通知"]


def test_it_lets_nobody_else_publish_notices(notice, personas):
    with pytest.raises(PermissionDenied, match="您无权发布这条通知"):
        notice("居民发布的通知", actor=personas.resident)


def test_it_publishes_the_notices_as_an_atom_feed(client, notice, personas):
    notice("安阳街道通知", street=personas.street_a_place.community.street, paragraphs=["东门临时封闭。"])
    notice("玉海街道通知", street=personas.street_b_place.community.street, slug="yuhai")
    response = client.get("/notices/feed/?street=anyang")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "安阳街道通知" in body and "东门临时封闭。" in body and "玉海街道通知" not in body


def test_a_published_notice_refreshes_the_notices_and_its_projects_page(
    client, notice, published_project, settings, django_capture_on_commit_callbacks
):
    from renovation.public.cache import cache_backend

    settings.PUBLIC_CACHE_ENABLED = True
    cache_backend().clear()
    project, page = published_project(items=1)
    _other, other_page = published_project(items=1, code="OTHER", slug="other")
    for url in ("/notices/", page.url, other_page.url):
        client.get(url)
        assert client.get(url)["X-Public-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        notice("飞云花园开工公告", project=project)
    assert client.get("/notices/")["X-Public-Cache"] == "miss"
    assert "飞云花园开工公告" in client.get(page.url).content.decode()
    assert client.get(other_page.url)["X-Public-Cache"] == "hit"
    cache_backend().clear()


def test_it_tells_the_projects_followers_once_when_first_published(
    notice, personas, published_project, django_capture_on_commit_callbacks
):
    from renovation.notifications.models import Notification
    from renovation.notifications.services import follow_start

    project, _page = published_project(items=1)
    follow_start(actor=personas.resident, project=project)
    with django_capture_on_commit_callbacks(execute=True):
        item = notice("关于外立面施工期间停水的通知", project=project)
    note = Notification.objects.get(recipient=personas.resident)
    assert "关于外立面施工期间停水的通知" in note.title and note.url == item.url
    with django_capture_on_commit_callbacks(execute=True):
        item.save_revision(user=personas.bureau).publish(user=personas.bureau)  # a corrected edit
    assert Notification.objects.filter(recipient=personas.resident).count() == 1
