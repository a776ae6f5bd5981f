"""The live protocol end to end through the real ASGI application (WebsocketCommunicator)."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from renovation.discussion.models import Comment
from renovation.discussion.services import comment_edit, comment_hide, comment_post

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def _post(thread, user, text):
    comment, _created = await sync_to_async(comment_post)(actor=user, thread=thread, text=text)
    return comment


async def test_it_lets_anyone_read_a_public_thread_live(connect, project_thread, cast):
    reader, connected, _ = await connect(project_thread)
    assert connected
    comment = await _post(project_thread, cast.supervisor, "脚手架什么时候拆？")
    message = await reader.receive_json_from(timeout=2)
    assert message["type"] == "comment"
    assert (message["id"], message["text"], message["author"]) == (comment.pk, "脚手架什么时候拆？", "陈阿姨")
    assert message["event_id"] > 0 and message["created"]


async def test_it_refuses_anonymous_posts_with_an_error_not_a_dropped_socket(connect, project_thread):
    reader, _, _ = await connect(project_thread)
    await reader.send_json_to({"type": "post", "text": "匿名", "client_id": str(uuid.uuid4())})
    error = await reader.receive_json_from(timeout=2)
    assert error["type"] == "error" and error["code"] == "not_allowed"
    assert not await sync_to_async(Comment.objects.exists)()
    await reader.send_json_to({"type": "since", "last_id": 0})  # still open and answering
    status = await reader.receive_json_from(timeout=2)
    assert status["type"] == "status"


async def test_a_post_reaches_everyone_and_is_saved_once_on_retry(connect, project_thread, cast, personas):
    author, _, _ = await connect(project_thread, cast.supervisor)
    other, _, _ = await connect(project_thread, personas.resident)
    client_id = str(uuid.uuid4())
    await author.send_json_to({"type": "post", "text": "楼道灯坏了", "client_id": client_id})
    mine = await author.receive_json_from(timeout=2)
    theirs = await other.receive_json_from(timeout=2)
    assert mine == theirs and mine["client_id"] == client_id
    await author.send_json_to({"type": "post", "text": "楼道灯坏了", "client_id": client_id})  # a retry
    again = await author.receive_json_from(timeout=2)
    assert again["id"] == mine["id"]
    assert await other.receive_nothing(timeout=0.3)
    assert await sync_to_async(Comment.objects.count)() == 1


async def test_a_reconnecting_client_gets_everything_it_missed_in_order(connect, project_thread, cast):
    first = await _post(project_thread, cast.supervisor, "一")
    second = await _post(project_thread, cast.supervisor, "二")
    third = await _post(project_thread, cast.supervisor, "三")
    client, _, _ = await connect(project_thread)
    await client.send_json_to({"type": "since", "last_id": first.pk})
    got = [await client.receive_json_from(timeout=2) for _ in range(3)]
    assert [m.get("id") for m in got[:2]] == [second.pk, third.pk]
    assert got[2]["type"] == "status"


async def test_catch_up_by_event_includes_edits_and_hides_of_seen_comments(connect, project_thread, cast, personas):
    comment = await _post(project_thread, cast.supervisor, "原文")
    client, _, _ = await connect(project_thread)
    await client.send_json_to({"type": "since", "last_event_id": 0})
    seen = await client.receive_json_from(timeout=2)
    await client.receive_json_from(timeout=2)  # status
    await client.disconnect()
    await sync_to_async(comment_edit)(actor=cast.supervisor, comment=comment, text="改过的")
    await sync_to_async(comment_hide)(actor=personas.street_a, comment=comment, reason="含个人电话")
    again, _, _ = await connect(project_thread)
    await again.send_json_to({"type": "since", "last_event_id": seen["event_id"]})
    edited = await again.receive_json_from(timeout=2)
    hidden = await again.receive_json_from(timeout=2)
    assert (edited["type"], hidden["type"]) == ("comment_edited", "comment_hidden")
    # Replays show each comment as it is now: the hidden text is never sent again.
    assert edited["text"] == "" and hidden["hidden_reason"] == "含个人电话"


async def test_edits_and_hides_arrive_live_without_the_hidden_text(connect, project_thread, cast, personas):
    comment = await _post(project_thread, cast.supervisor, "我家电话 138xxxx")
    reader, _, _ = await connect(project_thread)
    await sync_to_async(comment_edit)(actor=cast.supervisor, comment=comment, text="请联系社区")
    edited = await reader.receive_json_from(timeout=2)
    assert (edited["type"], edited["text"], edited["edited"] is not None) == ("comment_edited", "请联系社区", True)
    await sync_to_async(comment_hide)(actor=personas.street_a, comment=comment, reason="与改造无关")
    hidden = await reader.receive_json_from(timeout=2)
    assert hidden["type"] == "comment_hidden" and hidden["text"] == "" and hidden["hidden_reason"] == "与改造无关"


async def test_a_private_thread_refuses_people_not_on_the_issue(connect, issue_thread, cast, personas):
    for outsider in (None, personas.resident, cast.other_supervisor, personas.street_b):
        _communicator, connected, code = await connect(issue_thread, outsider)
        assert not connected
        assert code == 4403
    for insider in (cast.supervisor, cast.builder, personas.street_a, personas.bureau):
        _communicator, connected, _ = await connect(issue_thread, insider)
        assert connected


async def test_it_refuses_a_foreign_origin(project_thread):
    from channels.testing import WebsocketCommunicator

    from renovation.routing import websocket_application

    with override_settings(ALLOWED_HOSTS=["renovation.example.gov.cn"]):
        application = websocket_application()
    for origin, expected in ((b"https://evil.example", False), (b"https://renovation.example.gov.cn", True)):
        communicator = WebsocketCommunicator(
            application, f"/ws/threads/{project_thread.pk}/", headers=[(b"origin", origin)]
        )
        connected, _code = await communicator.connect()
        assert connected is expected
        await communicator.disconnect()


@override_settings(COMMENT_RATE_LIMIT_PER_MINUTE=3)
async def test_it_rate_limits_posts_with_an_error_message(connect, project_thread, cast):
    author, _, _ = await connect(project_thread, cast.supervisor)
    for n in range(3):
        await author.send_json_to({"type": "post", "text": f"第{n}条", "client_id": str(uuid.uuid4())})
        assert (await author.receive_json_from(timeout=2))["type"] == "comment"
    await author.send_json_to({"type": "post", "text": "第四条", "client_id": str(uuid.uuid4())})
    error = await author.receive_json_from(timeout=2)
    assert error["type"] == "error" and error["code"] == "rate_limited"
    assert "3" in error["message"]
    assert await sync_to_async(Comment.objects.count)() == 3


async def test_it_refuses_overlong_and_empty_text(connect, project_thread, cast):
    author, _, _ = await connect(project_thread, cast.supervisor)
    await author.send_json_to({"type": "post", "text": "长" * 2001, "client_id": str(uuid.uuid4())})
    assert (await author.receive_json_from(timeout=2))["code"] == "invalid"
    await author.send_json_to({"type": "post", "text": "   ", "client_id": str(uuid.uuid4())})
    assert (await author.receive_json_from(timeout=2))["code"] == "invalid"
    await author.send_json_to({"type": "nonsense"})
    assert (await author.receive_json_from(timeout=2))["code"] == "invalid"
    assert not await sync_to_async(Comment.objects.exists)()


async def test_project_progress_changes_arrive_as_status(connect, project_thread, cast, personas):
    from decimal import Decimal

    from renovation.projects.services import progress_report_confirm, progress_report_submit
    from tests.factories import WorkItemFactory

    item = await sync_to_async(WorkItemFactory)(project=cast.project)
    reader, _, _ = await connect(project_thread)

    def confirm() -> None:
        report = progress_report_submit(actor=personas.bureau, work_item=item, percent=Decimal("40"))
        progress_report_confirm(actor=personas.bureau, report=report)

    await sync_to_async(confirm)()
    message = await reader.receive_json_from(timeout=2)
    assert message["type"] == "status" and message["subject"] == "project"
    assert message["progress"] == "40.00"


async def test_issue_status_changes_arrive_on_the_working_thread(connect, issue_thread, cast, personas):
    from renovation.supervision.services import site_issue_accept

    reader, _, _ = await connect(issue_thread, cast.supervisor)
    issue = await sync_to_async(lambda: issue_thread.site_issue)()
    await sync_to_async(site_issue_accept)(actor=personas.street_a, issue=issue)
    message = await reader.receive_json_from(timeout=2)
    assert (message["type"], message["subject"], message["status"]) == ("status", "issue", "accepted")


async def test_the_public_project_thread_hears_only_of_public_issues(connect, project_thread, cast, personas):
    from renovation.supervision.services import site_issue_accept, site_issue_reject, site_issue_report
    from tests.supervision.fixtures import jpeg

    def report():
        return site_issue_report(
            actor=cast.supervisor,
            project=cast.project,
            category="quality",
            severity="general",
            description="x",
            location="y",
            photos=[jpeg()],
        )

    reader, _, _ = await connect(project_thread)
    private = await sync_to_async(report)()
    await sync_to_async(site_issue_reject)(actor=personas.street_a, issue=private, reason="重复")
    assert await reader.receive_nothing(timeout=0.3)  # submitted and rejected issues stay private
    public = await sync_to_async(report)()
    await sync_to_async(site_issue_accept)(actor=personas.street_a, issue=public)
    message = await reader.receive_json_from(timeout=2)
    assert (message["subject"], message["id"], message["status"]) == ("issue", public.pk, "accepted")
