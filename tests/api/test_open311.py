"""Open311 GeoReport v2 as a client reads it: every document validates against the schema written
from the specification, the XML mirrors the JSON, errors come as [{code, description}], and a
supervisor's app files an issue through the same service and photo pipeline as the web form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest
from django.utils import timezone

from renovation.api.services import api_key_issue
from renovation.supervision.models import IssueStatus, PhotoKind, SiteIssue
from renovation.supervision.services import site_issue_confirm, site_issue_rectify
from tests.api import open311_schemas as schemas
from tests.supervision.fixtures import jpeg, not_an_image

pytestmark = pytest.mark.django_db
CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def _valid(document: Any, schema: dict) -> Any:
    jsonschema.Draft202012Validator(schema, format_checker=CHECKER).validate(document)
    return document


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_mirrors(xml: bytes, root: str, item: str, document: list[dict]) -> None:
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    tree = ElementTree.fromstring(xml)
    assert tree.tag == root
    assert [child.tag for child in tree] == [item] * len(document)
    for element, row in zip(tree, document, strict=True):
        flat = {key: value for key, value in row.items() if not isinstance(value, list | dict)}
        assert {child.tag: (child.text or "") for child in element if len(child) == 0} == {
            key: _xml_text(value) for key, value in flat.items()
        }


def test_discovery_points_at_the_endpoint_in_both_formats(client, db):
    document = _valid(client.get("/open311/v2/discovery.json").json(), schemas.DISCOVERY)
    assert document["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    assert document["key_service"].endswith("/api/v1/#keys")
    tree = ElementTree.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert tree.tag == "discovery"
    assert [f.text for f in tree.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_the_issue_categories(client, db):
    response = client.get("/open311/v2/services.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = _valid(response.json(), schemas.SERVICES)
    assert [service["service_code"] for service in services] == ["quality", "progress", "safety", "civilised", "other"]
    assert services[0]["service_name"] == "质量"
    assert client.get("/open311/v2/services.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    xml = client.get("/open311/v2/services.xml")
    assert xml["Content-Type"] == "text/xml; charset=utf-8"
    _xml_mirrors(xml.content, "services", "service", services)


def test_a_service_definition_lists_projects_and_severities(client, scene):
    scene.cast.project.status = "under_construction"
    scene.cast.project.save()
    definition = _valid(client.get("/open311/v2/services/safety.json").json(), schemas.SERVICE_DEFINITION)
    project = definition["attributes"][0]
    assert project["code"] == "project" and project["required"] is True
    assert {"key": scene.cast.project.code, "name": scene.cast.project.name} in project["values"]
    tree = ElementTree.fromstring(client.get("/open311/v2/services/safety.xml").content)
    assert tree.tag == "service_definition" and tree.find("attributes/attribute/values/value/key") is not None
    missing = client.get("/open311/v2/services/potholes.json")
    assert missing.status_code == 404
    _valid(missing.json(), schemas.ERRORS)


def test_requests_are_the_public_issues_without_the_reporter(client, scene):
    requests = _valid(client.get("/open311/v2/requests.json").json(), schemas.REQUESTS)
    assert [row["service_request_id"] for row in requests] == [str(scene.public_issue.pk)]
    row = requests[0]
    assert row["status"] == "open" and row["service_code"] == "quality"
    assert row["lat"] == 27.78 and row["long"] == 120.65
    assert row["address"] == "飞云花园 3幢2单元"
    # The permission-checked address until the public copy exists, then the copy (never a private path).
    assert row["media_url"].startswith(
        ("http://testserver/files/site-issue-photo/", "http://testserver/media/issue-photos/")
    )
    _xml_mirrors(client.get("/open311/v2/requests.xml").content, "service_requests", "request", requests)
    one = _valid(client.get(f"/open311/v2/requests/{scene.public_issue.pk}.json").json(), schemas.REQUESTS)
    assert one == requests
    hidden = client.get(f"/open311/v2/requests/{scene.private_issue.pk}.xml")
    assert hidden.status_code == 404
    error = ElementTree.fromstring(hidden.content)
    assert error.tag == "errors" and error.find("error/code").text == "404"


def test_requests_filter_by_status_code_and_dates(client, scene, personas, cast):
    issue = scene.public_issue
    site_issue_rectify(actor=cast.builder, issue=issue, response="已修复", photos=[jpeg("after.jpg")])
    site_issue_confirm(actor=cast.supervisor, issue=SiteIssue.objects.get(pk=issue.pk))

    def ids(query: str) -> list[str]:
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.content
        return [row["service_request_id"] for row in _valid(response.json(), schemas.REQUESTS)]

    assert ids("status=closed") == [str(issue.pk)]
    assert ids("status=open") == []
    assert ids("status=open,closed&service_code=quality") == [str(issue.pk)]
    assert ids("service_code=safety") == []
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(f"start_date={tomorrow}T00:00:00%2B08:00") == []
    assert ids(f"end_date={tomorrow}T00:00:00%2B08:00") == [str(issue.pk)]
    assert ids(f"service_request_id={issue.pk},{scene.private_issue.pk}") == [str(issue.pk)]
    closed = client.get(f"/open311/v2/requests/{issue.pk}.json").json()[0]
    assert closed["status_notes"].endswith("已修复")


def test_bad_parameters_are_errors_in_the_specification_format(client, db):
    bad = ("start_date=last-week", "status=pending", "service_request_id=abc", "service_code=quality%00")
    for query in (*bad, "end_date=0001-01-01T00:00:00%2B08:00"):
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 400, query
        assert _valid(response.json(), schemas.ERRORS)[0]["code"] == 400
    xml = client.get("/open311/v2/requests.xml?start_date=nope")
    assert ElementTree.fromstring(xml.content).find("error/description").text


def _post(client, key: str | None, **fields: Any):
    data = {
        "service_code": "safety",
        "attribute[project]": fields.pop("project"),
        "attribute[severity]": "urgent",
        "description": "脚手架未设防护网",
        "address_string": "5幢北侧",
        "lat": "27.781",
        "long": "120.652",
        "media": [jpeg("a.jpg"), jpeg("b.jpg", color="blue")],
        **fields,
    }
    if key:
        data["api_key"] = key
    return client.post("/open311/v2/requests.json", data)


def test_a_supervisor_files_an_issue_with_a_key(client, cast, personas, django_capture_on_commit_callbacks):
    issued = api_key_issue(actor=personas.bureau, name="监督员小程序", organisation="安阳街道", user=cast.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, issued.raw, project=cast.project.code)
    assert response.status_code == 201, response.content
    created = _valid(response.json(), schemas.CREATED)
    issue = SiteIssue.objects.get(pk=int(created[0]["service_request_id"]))
    assert (issue.status, issue.category, issue.severity) == (IssueStatus.SUBMITTED, "safety", "urgent")
    assert issue.reporter.user == cast.supervisor and issue.location == "5幢北侧"
    assert [photo.kind for photo in issue.photos.all()] == [PhotoKind.BEFORE, PhotoKind.BEFORE]
    assert issue.transitions.get().to_status == IssueStatus.SUBMITTED
    # Submitted issues wait for the street office: not yet public.
    assert client.get(f"/open311/v2/requests/{issue.pk}.json").status_code == 404


def test_filing_is_refused_in_the_specification_format(client, cast, personas):
    reader = api_key_issue(actor=personas.bureau, name="数据大屏", organisation="市住建局")
    supervisor = api_key_issue(actor=personas.bureau, name="小程序", organisation="安阳街道", user=cast.supervisor)
    cases = [
        (None, {"project": cast.project.code}, 403),
        ("rk_not-a-key", {"project": cast.project.code}, 403),
        (reader.raw, {"project": cast.project.code}, 403),
        (supervisor.raw, {"project": cast.other_project.code}, 403),  # not assigned to it
        (supervisor.raw, {"project": "NOPE"}, 400),
        (supervisor.raw, {"project": cast.project.code, "service_code": "potholes"}, 400),
        (supervisor.raw, {"project": cast.project.code, "media": [not_an_image()]}, 400),
        (supervisor.raw, {"project": cast.project.code, "lat": "north"}, 400),
        (supervisor.raw, {"project": cast.project.code, "description": "漏水\x00"}, 400),
    ]
    for key, fields, status in cases:
        response = _post(client, key, **fields)
        assert response.status_code == status, (fields, response.content)
        assert _valid(response.json(), schemas.ERRORS)[0]["code"] == status
    assert SiteIssue.objects.count() == 0
    photo_error = _post(client, supervisor.raw, project=cast.project.code, media=[not_an_image()]).json()
    assert photo_error[0]["description"].startswith("photos:")
