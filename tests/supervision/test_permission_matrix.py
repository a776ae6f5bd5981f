"""Every role against every supervision page and action. Forbidden answers 403, or 404 when the
object is one the person must not know exists; either way nothing changes."""

import pytest
from django.test import Client

from renovation.supervision.models import IssueStatus, SiteIssue
from renovation.supervision.services import site_issue_accept, site_issue_rectify
from tests.supervision.fixtures import jpeg

ROLES = [
    "anonymous",
    "resident",
    "supervisor",
    "other_supervisor",
    "builder",
    "other_builder",
    "street_a",
    "street_b",
    "bureau",
]


def _client(role: str, personas, cast) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(personas, role, None) or getattr(cast, role))
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
def test_my_work_page(role, personas, cast):
    response = _client(role, personas, cast).get("/supervise/")
    if role == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == 200


REPORT_PAGE = {"supervisor": 200, "other_supervisor": 200}


@pytest.mark.parametrize("role", ROLES)
def test_report_page(role, personas, cast):
    response = _client(role, personas, cast).get("/supervise/report/")
    if role == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == REPORT_PAGE.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
def test_reporting_on_the_project(role, personas, cast):
    data = {
        "project": cast.project.pk,
        "category": "safety",
        "severity": "urgent",
        "description": "脚手架未设防护网",
        "location": "5幢",
        "photos": [jpeg()],
    }
    response = _client(role, personas, cast).post("/supervise/report/", data)
    if role == "anonymous":
        assert _is_login_redirect(response)
    elif role == "supervisor":
        assert response.status_code == 302
        assert SiteIssue.objects.get().description == "脚手架未设防护网"
        return
    else:
        assert response.status_code == 403
    assert not SiteIssue.objects.exists()


ISSUE_VISIBLE = {"supervisor", "builder", "street_a", "bureau"}


@pytest.mark.parametrize("role", ROLES)
def test_issue_page(role, personas, cast, reported_issue):
    issue = reported_issue()
    response = _client(role, personas, cast).get(f"/supervise/issues/{issue.pk}/")
    if role == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == (200 if role in ISSUE_VISIBLE else 404)


def _prepared(issue, step: str, personas, cast):
    if step in ("rectify", "confirm", "reopen"):
        site_issue_accept(actor=personas.street_a, issue=issue)
    if step in ("confirm", "reopen"):
        site_issue_rectify(actor=cast.builder, issue=issue, response="已整改", photos=[jpeg()])
    return SiteIssue.objects.get(pk=issue.pk)


ACTIONS = {
    # action: (who may, form data)
    "accept": ({"street_a", "bureau"}, {"accept-note": "请整改"}),
    "reject": ({"street_a", "bureau"}, {"reject-note": "重复反映"}),
    "start": ({"builder"}, {"start-note": "已安排"}),
    "rectify": ({"builder"}, {"rectify-note": "已整改", "rectify-photos": "PHOTO"}),
    "confirm": ({"supervisor"}, {"confirm-note": "好了"}),
    "reopen": ({"supervisor"}, {"reopen-note": "仍有裂缝"}),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_issue_actions(action, role, personas, cast, reported_issue):
    allowed, data = ACTIONS[action]
    issue = _prepared(reported_issue(), action if action != "start" else "rectify_start", personas, cast)
    if action == "start":
        site_issue_accept(actor=personas.street_a, issue=issue)
        issue.refresh_from_db()
    data = {key: (jpeg() if value == "PHOTO" else value) for key, value in data.items()}
    before = (issue.status, issue.transitions.count())
    response = _client(role, personas, cast).post(f"/supervise/issues/{issue.pk}/{action}/", data)
    issue.refresh_from_db()
    if role in allowed:
        assert response.status_code == 302, response.content[:500]
        assert issue.status != before[0]
        return
    if role == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == (403 if role in ISSUE_VISIBLE else 404)
    assert (issue.status, issue.transitions.count()) == before


@pytest.mark.parametrize("role", ROLES)
def test_the_public_sees_an_issue_only_once_staff_accept_it(role, personas, cast, reported_issue):
    from cms.services import project_page_ensure

    page = project_page_ensure(project=cast.project)
    issue = reported_issue(description="只有受理后才公开的描述")
    client = _client(role, personas, cast)
    assert "只有受理后才公开的描述" not in client.get(page.url).content.decode()
    site_issue_accept(actor=personas.street_a, issue=issue)
    assert "只有受理后才公开的描述" in client.get(page.url).content.decode()
    assert SiteIssue.objects.get(pk=issue.pk).status == IssueStatus.ACCEPTED
