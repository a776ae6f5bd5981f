"""Open311 GeoReport v2 documents for site issues, as the specification spells them, in JSON and
XML (http://wiki.open311.org/GeoReport_v2). Plain data in, plain data out: the views load."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.projects.models import Project
from renovation.supervision.models import IssueCategory, IssueSeverity, IssueStatus, PhotoKind, SiteIssue
from renovation.supervision.selectors import public_coordinate

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CLOSED_STATUSES = (IssueStatus.CONFIRMED,)
# The tag of each list's items in XML (the JSON has plain arrays).
XML_ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def discovery(*, endpoint: str, contact: str, changeset: datetime, key_service: str) -> dict[str, Any]:
    return {
        "changeset": iso(changeset),
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint,
                "changeset": iso(changeset),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def services() -> list[dict[str, Any]]:
    """One service per site-issue category; each takes the project and severity as attributes."""
    return [
        {
            "service_code": code,
            "service_name": str(label),
            "description": _("Site issue on a renovation project: %(category)s") % {"category": label},
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": _("Site supervision"),
        }
        for code, label in IssueCategory.choices
    ]


def service_definition(code: str, projects: Iterable[Project]) -> dict[str, Any]:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "project",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": _("The project code; you may report only on the projects you supervise."),
                "order": 1,
                "description": _("Project"),
                "values": [{"key": project.code, "name": project.name} for project in projects],
            },
            {
                "variable": True,
                "code": "severity",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("General when not given."),
                "order": 2,
                "description": _("Severity"),
                "values": [{"key": key, "name": str(name)} for key, name in IssueSeverity.choices],
            },
        ],
    }


def _updated(issue: SiteIssue) -> datetime:
    return max(
        moment for moment in (issue.created_at, issue.accepted_at, issue.rectified_at, issue.confirmed_at) if moment
    )


def service_request(issue: SiteIssue, absolute: Callable[[str], str]) -> dict[str, Any]:
    """A public issue as a service request. No reporter: names, phones and addresses of people
    are never open data. ``media_url`` is the first photo as reported."""
    before = [photo for photo in issue.photos.all() if photo.kind == PhotoKind.BEFORE]
    project = issue.project
    notes = issue.get_status_display()
    if issue.response:
        notes = f"{notes}: {issue.response}"
    return {
        "service_request_id": str(issue.pk),
        "status": "closed" if issue.status in CLOSED_STATUSES else "open",
        "status_notes": notes,
        "service_name": issue.get_category_display(),
        "service_code": issue.category,
        "description": issue.description,
        "agency_responsible": project.neighbourhood.community.street.name,
        "service_notice": "",
        "requested_datetime": iso(issue.created_at),
        "updated_datetime": iso(_updated(issue)),
        "expected_datetime": iso(issue.deadline),
        "address": f"{project.neighbourhood.name} {issue.location}".strip(),
        "address_id": project.code,
        "zipcode": "",
        "lat": _public_float(issue.latitude),
        "long": _public_float(issue.longitude),
        "media_url": absolute(before[0].image_url) if before else "",
    }


def created(issue: SiteIssue) -> list[dict[str, Any]]:
    return [
        {
            "service_request_id": str(issue.pk),
            "service_notice": _("Received; the street office reviews it before it is published."),
            "account_id": "",
        }
    ]


def errors(code: int, messages: Iterable[str]) -> list[dict[str, Any]]:
    return [{"code": code, "description": str(message)} for message in messages]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ElementTree.Element, tag: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ElementTree.Element, tag: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _append(element, XML_ITEM_TAGS[tag], inner)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    """The document as the specification's XML: lists become their plural root with one element
    per item (``<services><service>…``), booleans ``true``/``false``, nulls empty."""
    element = ElementTree.Element(root)
    _fill(element, root, document)
    return ElementTree.tostring(element, encoding="UTF-8", xml_declaration=True)


def _public_float(value: Any) -> float | None:
    """A position rounded as on the map (the building, never the flat)."""
    rounded = public_coordinate(value)
    return float(rounded) if rounded is not None else None
