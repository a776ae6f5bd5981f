"""Hostile input never reaches a traceback: random posts at every public form.

The forms are found the way a visitor finds them: each page is fetched as the person who uses it
and every ``<form method="post">`` on it is read (action, field names, file inputs). Hypothesis
then posts random values to each (odd Unicode, NUL, huge numbers, dates that do not exist, lists
where one value is expected, files that are not what they say) plus fields nobody asked for. Every
answer must be below 500, and nothing may be logged at ERROR or with a traceback.

Bounded and deterministic: ``derandomize`` and a fixed number of examples, no example database.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cms.services import project_page_ensure
from renovation.discussion.services import comment_post, thread_for_project
from renovation.projects.models import ProjectStatus
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_tree")]

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)
# Forms that end the session or the account would leave the rest of the run with nobody signed in.
SKIPPED_ACTIONS = ("/accounts/logout/", "/accounts/me/close/", "/i18n/setlang/")


@dataclass
class Target:
    who: str
    action: str
    fields: list[str]
    files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.who} → {self.action}"


def forms_on(html: str, page: str) -> list[tuple[str, list[str], list[str]]]:
    found = []
    for attributes, body in FORM.findall(html):
        attrs = dict(ATTRIBUTE.findall(attributes))
        if attrs.get("method", "get").lower() != "post":
            continue
        names, files = [], []
        for _tag, field_attributes in FIELD.findall(body):
            field_attrs = dict(ATTRIBUTE.findall(field_attributes))
            name = field_attrs.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            (files if field_attrs.get("type") == "file" else names).append(name)
        found.append((attrs.get("action") or page, names, files))
    return found


@pytest.fixture
def world(personas, cast, tender_cast, reported_issue):
    """Everyone who fills in a public form, each with a signed-in client, and the targets."""
    thread = thread_for_project(cast.project)
    comment_post(actor=personas.resident, thread=thread, text="楼道灯坏了")
    issue = reported_issue()
    consulting = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING, code="FZ-1")
    HouseholdFactory(neighbourhood=personas.street_a_place, resident=personas.resident)

    people = {
        "anonymous": None,
        "resident": personas.resident,
        "bidder": tender_cast.accounts[0],
        "supervisor": cast.supervisor,
        "builder": cast.builder,
        "street staff": personas.street_a,
    }
    clients: dict[str, Client] = {}
    for who, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[who] = client

    pages = {
        "anonymous": [
            "/accounts/login/",
            "/accounts/login/phone/",
            "/accounts/join/",
            "/accounts/password/reset/",
            "/accounts/password/reset/phone/",
            "/tenders/bidders/register/",
        ],
        "resident": [f"/consultation/{consulting.pk}/", "/accounts/me/data/", "/notifications/"],
        "bidder": [f"/tenders/{tender_cast.tender.pk}/bid/", "/tenders/bidders/mine/"],
        "supervisor": ["/supervise/report/", f"/supervise/issues/{issue.pk}/"],
        "builder": [f"/supervise/issues/{issue.pk}/"],
        "street staff": [f"/supervise/issues/{issue.pk}/"],
    }
    page_url = project_page_ensure(project=cast.project).url
    for who in ("anonymous", "resident", "street staff"):
        pages[who].append(page_url)

    targets: dict[tuple[str, str], Target] = {}
    for who, urls in pages.items():
        for url in urls:
            response = clients[who].get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            for action, names, files in forms_on(response.content.decode(), url):
                if action.startswith(SKIPPED_ACTIONS):
                    continue
                target = targets.setdefault((who, action), Target(who, action, []))
                target.fields = sorted(set(target.fields) | set(names))
                target.files = sorted(set(target.files) | set(files))
    # Forms that appear only at another stage of their process: posted at all the same.
    targets[("bidder", "objection")] = Target("bidder", f"/tenders/{tender_cast.tender.pk}/objections/", ["text"])
    targets[("resident", "join confirm")] = Target(
        "anonymous", "/accounts/join/confirm/", ["code", "phone", "sms_code", "password1", "password2", "consent"]
    )
    for action in ("accept", "reject", "start", "rectify", "confirm", "reopen", "nonsense"):
        targets[("street staff", action)] = Target(
            "street staff", f"/supervise/issues/{issue.pk}/{action}/", ["deadline", "note", "reason"], ["photos"]
        )
    return clients, sorted(targets.values(), key=str)


ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "-0.000000001",
    "2026-02-30",
    "2026-13-01T25:61",
    "null",
    "true",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "a\x00b",
    "１２３４５６",
    "١٢٣",
    "13800138000",
    "+86 138 0013 8000",
    "91330381MA2H000000",
    "../../etc/passwd",
    "x" * 5000,
    "\u202e\u200b",
    "🏚️🏗️",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
VALUE = st.one_of(st.sampled_from(ODD_VALUES), TEXT, st.integers().map(str))
UPLOAD = st.builds(
    lambda name, data: SimpleUploadedFile(name, data),
    st.sampled_from(["a.jpg", "b.png", "c.pdf", "d.heic", "e.svg", "no-extension", "x" * 200 + ".jpg"]),
    st.one_of(st.binary(max_size=256), st.just(b"\xff\xd8\xff\xe0" + b"\x00" * 64), st.just(b"%PDF-1.4\n%%EOF")),
)


@st.composite
def posts(draw: Any, target: Target) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in target.fields:
        if draw(st.booleans()):
            data[name] = draw(st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3)))
    if draw(st.booleans()):
        data[draw(st.sampled_from(["id", "pk", "next", "action", "household", "bidder", "page"]))] = draw(VALUE)
    for name in target.files:
        if draw(st.booleans()):
            data[name] = draw(st.lists(UPLOAD, min_size=1, max_size=2))
    return data


def _problems(records: list[logging.LogRecord]) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()[:200]}" for r in records if r.levelno >= logging.ERROR or r.exc_info
    ]


@settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    # No shrinking: a failure is reported with the example that found it, within the time bound.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_public_form_answers_500_or_logs_a_traceback(world, caplog, data):
    clients, targets = world
    caplog.set_level(logging.WARNING)
    for target in targets:
        post = data.draw(posts(target), label=str(target))
        caplog.clear()
        response = clients[target.who].post(target.action, post)
        assert response.status_code < 500, (str(target), response.status_code)
        assert _problems(caplog.records) == [], str(target)


def test_the_fuzz_reaches_every_public_form(world):
    _clients, targets = world
    actions = {re.sub(r"\d+", "<id>", target.action) for target in targets}
    expected = {
        "/accounts/login/",
        "/accounts/login/phone/",
        "/accounts/join/",
        "/accounts/join/confirm/",
        "/accounts/password/reset/",
        "/accounts/password/reset/phone/",
        "/tenders/bidders/register/",
        "/tenders/<id>/bid/",
        "/tenders/<id>/objections/",
        "/discussion/threads/<id>/post/",
        "/consultation/<id>/",
        "/supervise/report/",
        "/supervise/issues/<id>/accept/",
    }
    assert expected <= actions, expected - actions


GET_FORM = re.compile(r"<form\b(?![^>]*method=\"post\")[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
LISTS = ["/projects/", "/tenders/", "/streets/", "/tenders/ocds.json", "/notifications/", "/supervise/"]


@pytest.fixture
def list_params(world):
    """Each list page with the query parameters its filter forms send, plus the usual ones."""
    clients, _targets = world
    pages = {}
    for path in LISTS:
        who = "resident" if path in ("/notifications/", "/supervise/") else "anonymous"
        response = clients[who].get(path)
        # The OCDS bulk pages stream (issue 17): read them as a client would.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        html = body.decode()
        names = {"page", "year", "q", "sort"}
        for body in GET_FORM.findall(html):
            names |= {dict(ATTRIBUTE.findall(attrs)).get("name") for _tag, attrs in FIELD.findall(body)}
        pages[path] = (who, sorted(name for name in names if name))
    return clients, pages


@settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_list_page_answers_500_to_odd_query_parameters(list_params, caplog, data):
    clients, pages = list_params
    caplog.set_level(logging.WARNING)
    for path, (who, names) in pages.items():
        params = {name: data.draw(VALUE, label=f"{path} {name}") for name in names if data.draw(st.booleans())}
        caplog.clear()
        response = clients[who].get(path, params)
        assert response.status_code < 500, (path, response.status_code)
        assert _problems(caplog.records) == [], path


def test_the_list_fuzz_sends_each_filter_form_s_parameters(list_params):
    _clients, pages = list_params
    assert {"year", "status", "street", "q"} <= set(pages["/projects/"][1])
