"""The threads without JavaScript: server-rendered comments and plain forms, and moderation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.services import project_page_ensure
from renovation.discussion.models import Comment, CommentFlag
from renovation.discussion.services import comment_post


@pytest.fixture
def page(cast):
    return project_page_ensure(project=cast.project)


def _post(client, thread, text, next_url="/"):
    return client.post(reverse("discussion:post", args=[thread.pk]), {"text": text, "next": next_url})


def test_it_shows_the_thread_and_a_form_on_the_project_page(client, login, page, project_thread, cast):
    comment_post(actor=cast.supervisor, thread=project_thread, text="何时开工？")
    html = client.get(page.url).content.decode()
    assert "何时开工？" in html and f'data-thread="{project_thread.pk}"' in html
    assert reverse("discussion:post", args=[project_thread.pk]) not in html  # anonymous: sign-in link instead
    html = login(cast.supervisor).get(page.url).content.decode()
    assert reverse("discussion:post", args=[project_thread.pk]) in html


def test_a_plain_form_posts_a_comment(login, page, project_thread, personas):
    response = _post(login(personas.resident), project_thread, "小区东门能否加装无障碍坡道？", page.url)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{page.url}#comment-{comment.pk}"
    assert comment.author == personas.resident


def test_text_is_stored_as_given_and_escaped_on_output(client, login, page, project_thread, personas):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    _post(login(personas.resident), project_thread, attack, page.url)
    assert Comment.objects.get().text == attack
    html = client.get(page.url).content.decode()
    assert attack not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_refused_post_keeps_the_text_and_says_why(login, page, project_thread, personas):
    response = _post(login(personas.resident), project_thread, "长" * 2001, page.url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "2000" in html and "长" * 50 in html
    assert not Comment.objects.exists()


def test_the_public_cannot_post(client, project_thread):
    response = _post(client, project_thread, "匿名")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_a_private_thread_is_404_to_outsiders(login, issue_thread, personas, cast):
    response = _post(login(personas.street_b), issue_thread, "你好")
    assert response.status_code == 404
    assert _post(login(cast.builder), issue_thread, "明天整改").status_code == 302


def test_the_issue_page_shows_its_working_thread(login, issue_thread, cast):
    comment_post(actor=cast.builder, thread=issue_thread, text="明天上午整改")
    html = login(cast.supervisor).get(reverse("supervision:issue", args=[issue_thread.site_issue_id])).content.decode()
    assert "明天上午整改" in html and f'data-thread="{issue_thread.pk}"' in html


def test_the_author_edits_within_15_minutes_only(login, project_thread, personas):
    comment, _ = comment_post(actor=personas.resident, thread=project_thread, text="原文")
    client = login(personas.resident)
    response = client.post(reverse("discussion:edit", args=[comment.pk]), {"text": "修改后"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "修改后" and comment.edited_at
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert client.post(reverse("discussion:edit", args=[comment.pk]), {"text": "太晚了"}).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "修改后"


def test_only_the_author_may_edit(login, project_thread, personas, cast):
    comment, _ = comment_post(actor=personas.resident, thread=project_thread, text="原文")
    assert login(cast.supervisor).post(reverse("discussion:edit", args=[comment.pk]), {"text": "x"}).status_code == 403


def test_street_staff_hide_with_a_reason_shown_in_place(client, login, page, project_thread, personas):
    comment, _ = comment_post(actor=personas.resident, thread=project_thread, text="王某某电话 13800000000")
    moderator = login(personas.street_a)
    url = reverse("discussion:moderate", args=[comment.pk, "hide"])
    moderator.post(url, {"reason": "含个人信息", "next": page.url})
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_by == personas.street_a
    html = client.get(page.url).content.decode()
    assert "13800000000" not in html and "含个人信息" in html
    moderator.post(reverse("discussion:moderate", args=[comment.pk, "unhide"]), {"next": page.url})
    comment.refresh_from_db()
    assert not comment.hidden


def test_other_streets_and_readers_cannot_moderate(login, project_thread, personas):
    comment, _ = comment_post(actor=personas.resident, thread=project_thread, text="正常评论")
    for user in (personas.street_b, personas.resident):
        response = login(user).post(reverse("discussion:moderate", args=[comment.pk, "hide"]), {"reason": "x"})
        assert response.status_code == 403
    comment.refresh_from_db()
    assert not comment.hidden


def test_readers_flag_and_the_admin_lists_flagged_first(login, project_thread, personas, cast):
    calm, _ = comment_post(actor=personas.resident, thread=project_thread, text="谢谢施工队")
    rude, _ = comment_post(actor=cast.supervisor, thread=project_thread, text="有问题的评论")
    comment_post(actor=personas.resident, thread=project_thread, text="最新的评论")
    login(personas.resident).post(reverse("discussion:moderate", args=[rude.pk, "flag"]), {"reason": "人身攻击"})
    assert CommentFlag.objects.get().comment == rude
    html = login(personas.street_a).get(reverse("comment:index")).content.decode()
    assert html.index("有问题的评论") < html.index("最新的评论") < html.index(calm.text)


def test_moderation_in_the_admin(login, project_thread, personas):
    comment, _ = comment_post(actor=personas.resident, thread=project_thread, text="广告")
    response = login(personas.street_a).post(
        reverse("comment:edit", args=[comment.pk]), {"decision": "hide", "reason": "广告"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden
    response = login(personas.street_b).post(reverse("comment:edit", args=[comment.pk]), {"decision": "show"})
    assert response.status_code == 403
