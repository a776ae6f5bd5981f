"""Hostile input on the live socket never reaches a traceback (issue 13): every frame the protocol
cannot read gets {"type": "error", "code": "invalid"} and the socket stays open. Specific frames
first, then Hypothesis throws random ones."""

from __future__ import annotations

import asyncio
import json
import logging
import string
import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Imported here, not in a test: renovation.asgi runs django.setup(), whose logging configuration
# would remove caplog's handler in the middle of the first test that imports it.
from renovation.asgi import application
from renovation.discussion.models import Comment
from renovation.realtime.consumers import frame_limit

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _open(thread: Any, user: Any = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await sync_to_async(_session_cookie)(user)}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/threads/{thread.pk}/", headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def _answers(communicator: WebsocketCommunicator, **frame: Any) -> list[dict]:
    """Send one frame, then a probe that only an error tagged with the probe's id answers:
    everything before that error is the frame's answer, and the answer to the probe proves the
    socket is still open and served."""
    if "bytes_data" in frame:
        await communicator.send_input({"type": "websocket.receive", "bytes": frame["bytes_data"]})
    else:  # send_to refuses an empty frame; a browser can send one
        await communicator.send_input({"type": "websocket.receive", "text": frame["text_data"]})
    probe = str(uuid.uuid4())
    await communicator.send_json_to({"type": "probe", "client_id": probe})
    answers = []
    while (message := await communicator.receive_json_from(timeout=5)).get("client_id") != probe:
        answers.append(message)
    return answers


HOSTILE = [
    {"bytes_data": b"\x00\xff\xfe binary"},
    {"bytes_data": json.dumps({"type": "since", "last_id": 0}).encode()},  # JSON, but binary
    {"text_data": "not json"},
    {"text_data": ""},
    {"text_data": "[" * 5000 + "]" * 5000},  # nested too deep to parse
    {"text_data": json.dumps({"type": "post", "text": "长" * 10}) + " " * frame_limit()},
    {"text_data": "123"},
    {"text_data": '{"type": "since", "last_event_id": true}'},
    {"text_data": '{"type": "since", "last_id": 99999999999999999999999}'},
    {"text_data": '{"type": "since", "last_id": -1}'},
    {"text_data": '{"type": "since", "last_id": 1e400}'},
    {"text_data": '{"type": "post", "text": "a\\u0000b", "client_id": "x"}'},
    {"text_data": '{"type": "post", "text": "lone \\ud800 surrogate"}'},
    {"text_data": '{"type": "post", "text": ["list"]}'},
    {"text_data": '{"type": "post", "text": "ok", "client_id": {"not": "a uuid"}}'},
    {"text_data": '{"type": {"nested": 1}}'},
]
# What the answer says: "无法识别这条消息。" unless the frame is a readable post with one bad part.
BAD_PART = {
    '{"type": "post", "text": "a\\u0000b", "client_id": "x"}': "消息编号无效。",
    '{"type": "post", "text": "lone \\ud800 surrogate"}': "文字中含有无法保存的字符。",
    '{"type": "post", "text": "ok", "client_id": {"not": "a uuid"}}': "消息编号无效。",
}


@pytest.mark.asyncio
async def test_it_answers_each_hostile_frame_with_invalid_and_stays_open(project_thread, cast, caplog):
    communicator = await _open(project_thread, cast.supervisor)
    try:
        for frame in HOSTILE:  # one socket for all: each frame must leave it open
            answers = await _answers(communicator, **frame)
            assert [(a["type"], a["code"]) for a in answers] == [("error", "invalid")], frame
            assert answers[0]["message"] == BAD_PART.get(frame.get("text_data"), "无法识别这条消息。"), (frame, answers)
    finally:
        await communicator.disconnect()
    assert not await sync_to_async(Comment.objects.exists)()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- random frames -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
protocol_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["post", "since", "nonsense", "", "live.event", "websocket.close"])},
    optional={
        "text": json_values,
        "client_id": json_values | st.uuids().map(str),
        "last_id": json_values | st.integers(min_value=-(2**70), max_value=2**70),
        "last_event_id": json_values,
    },
)
frames = st.one_of(
    st.binary(max_size=200).map(lambda data: {"bytes_data": data}),
    st.text(max_size=200).map(lambda text: {"text_data": text}),
    json_values.map(lambda value: {"text_data": json.dumps(value)}),
    protocol_like.map(lambda value: {"text_data": json.dumps(value)}),
    st.integers(min_value=1, max_value=3).map(lambda n: {"text_data": "x" * (frame_limit() + n)}),
    st.text(string.printable, max_size=50).map(lambda text: {"text_data": '{"type": "post", "text": "' + text}),
)


def _readable(frame: dict) -> dict | None:
    """The frame as a protocol message the consumer acts on, or None when it must say invalid."""
    text = frame.get("text_data")
    if text is None or len(text) > frame_limit():
        return None
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return content if isinstance(content, dict) and content.get("type") in ("post", "since") else None


def test_random_frames_get_an_answer_never_a_closed_socket_or_a_traceback(project_thread, cast, caplog):
    """One socket of a signed-in resident for the whole run: a frame that killed it would fail
    every later example. Valid posts are saved (and answered through the group), later ones
    meet the rate limit: answers either way."""
    with asyncio.Runner() as runner:
        communicator = runner.run(_open(project_thread, cast.supervisor))

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(frame=frames)
        def exchange(frame: dict) -> None:
            answers = runner.run(_answers(communicator, **frame))
            content = _readable(frame)
            if content is None:
                assert [(a["type"], a["code"]) for a in answers] == [("error", "invalid")], (frame, answers)
            elif content["type"] == "post":
                if not answers:  # a saved post comes back through the group, maybe after the probe
                    answers = [runner.run(communicator.receive_json_from(timeout=5))]
                assert len(answers) == 1 and answers[0]["type"] in ("comment", "error"), (frame, answers)
            else:
                assert all(a["type"] != "error" for a in answers) or [a["code"] for a in answers] == ["invalid"]

        try:
            exchange()
        finally:
            runner.run(communicator.disconnect())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
