"""What the form fuzz found, pinned: a bare word or another host as ``next``, a NUL character."""

import pytest

from renovation.discussion.models import Comment
from renovation.discussion.services import thread_for_project
from renovation.tendering.models import Bidder
from tests.tendering.fixtures import uscc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("next_url", ["4238", "https://evil.example/", "//evil.example/x"])
def test_a_comment_with_a_strange_next_goes_back_to_the_thread_not_a_500(login, personas, cast, next_url):
    thread = thread_for_project(cast.project)
    response = login(personas.resident).post(
        f"/discussion/threads/{thread.pk}/post/", {"text": "楼道灯坏了", "next": next_url}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/#comment-{comment.pk}"


def test_a_comment_goes_back_to_the_page_it_came_from(login, personas, cast):
    thread = thread_for_project(cast.project)
    response = login(personas.resident).post(
        f"/discussion/threads/{thread.pk}/post/", {"text": "好", "next": "/projects/feiyun/"}
    )
    assert response["Location"] == f"/projects/feiyun/#comment-{Comment.objects.get().pk}"


def test_a_comment_with_a_nul_character_is_refused_with_a_message(login, personas, cast):
    thread = thread_for_project(cast.project)
    response = login(personas.resident).post(f"/discussion/threads/{thread.pk}/post/", {"text": "楼道\x00灯"})
    assert response.status_code == 400
    assert "文字中含有无法保存的字符。" in response.content.decode()
    assert not Comment.objects.exists()


def test_registering_a_company_never_redirects_to_another_host(login, personas):
    data = {
        "name": "瑞安戊建设有限公司",
        "uscc": uscc("9133038XMA2H"),
        "contact_name": "王经理",
        "contact_phone": "0577-65880000",
        "address": "",
    }
    response = login(personas.resident).post("/tenders/bidders/register/?next=https://evil.example/", data)
    assert Bidder.objects.filter(name="瑞安戊建设有限公司").exists()
    assert response.status_code == 302
    assert response["Location"] == "/tenders/bidders/mine/"
