"""Open311 GeoReport v2 endpoints for site issues: discovery, services, a service's definition,
requests (read the public ones, or file one as a supervisor with an API key) and one request.
Every answer comes as JSON or XML by the suffix; every error in the specification's format."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.request import Request
from rest_framework.views import APIView

from renovation.projects.models import Project, ProjectStatus
from renovation.supervision.models import PUBLIC_STATUSES, IssueCategory, IssueSeverity, SiteIssue
from renovation.supervision.selectors import public_issue_list
from renovation.supervision.services import site_issue_report

from ..base import OpenDataMixin, in_utc
from ..models import ApiKey
from . import documents

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DEFAULT_SPAN = timedelta(days=90)  # the specification's default window
DEFAULT_LIMIT = 1000


class Open311Error(Exception):
    def __init__(self, code: int, *messages: str) -> None:
        super().__init__(*messages)
        self.code = code
        self.messages = messages


def answer(document: Any, root: str, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = documents.to_xml(root, document)
    else:
        import json

        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


class Open311View(OpenDataMixin, APIView):
    """Rates, keys and ETags as the rest of the open data; errors as ``[{code, description}]``."""

    schema = None  # documented on the API page and by the specification, not in the OpenAPI schema
    parser_classes = [parsers.FormParser, parsers.MultiPartParser]

    def handle_exception(self, exc: Exception) -> HttpResponse:
        fmt = self.kwargs.get("fmt", "json")
        if isinstance(exc, Open311Error):
            code, messages = exc.code, exc.messages
        elif isinstance(exc, exceptions.APIException):
            code, messages = exc.status_code, [str(exc.detail)]
            if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                code = 403  # the specification's "invalid api_key"
        elif isinstance(exc, Http404):
            code, messages = 404, [_("No such service request or service.")]
        else:
            raise exc
        response = answer(documents.errors(code, messages), "errors", fmt, status=code)
        if isinstance(exc, exceptions.Throttled) and exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response


def _endpoint(request: Request) -> str:
    return request.build_absolute_uri(reverse("open311:root"))


class DiscoveryView(Open311View):
    def get(self, request: Request, fmt: str) -> HttpResponse:
        latest = SiteIssue.objects.aggregate(latest=Max("created_at"))["latest"]
        document = documents.discovery(
            endpoint=_endpoint(request),
            contact=settings.OPEN311_CONTACT,
            changeset=latest or datetime(2020, 1, 1, tzinfo=timezone.get_default_timezone()),
            key_service=request.build_absolute_uri(reverse("api:docs")) + "#keys",
        )
        return answer(document, "discovery", fmt)


class ServiceListView(Open311View):
    def get(self, request: Request, fmt: str) -> HttpResponse:
        return answer(documents.services(), "services", fmt)


def reportable_projects() -> QuerySet[Project]:
    return Project.objects.filter(status=ProjectStatus.UNDER_CONSTRUCTION).order_by("code")


class ServiceDefinitionView(Open311View):
    def get(self, request: Request, code: str, fmt: str) -> HttpResponse:
        if code not in IssueCategory.values:
            raise Open311Error(404, _("Unknown service code: %(code)s") % {"code": code})
        return answer(documents.service_definition(code, reportable_projects()), "service_definition", fmt)


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400, _("%(name)s must be an ISO 8601 date and time, e.g. 2026-01-01T00:00:00+08:00.") % {"name": name}
        )
    if not timezone.is_aware(moment):
        moment = timezone.make_aware(moment)
    try:
        return in_utc(moment)
    except ValidationError as error:
        raise Open311Error(400, *error.messages) from error


def _listed(value: str | None) -> list[str]:
    if value and "\x00" in value:
        raise Open311Error(400, _("Parameters cannot contain NUL characters."))
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def filtered_requests(params: Any, now: datetime) -> QuerySet[SiteIssue]:
    """The specification's filters; without dates, the last 90 days, at most 1000 requests."""
    issues = public_issue_list().order_by("-created_at", "-pk")
    ids = _listed(params.get("service_request_id"))
    if ids:
        if not all(part.isdigit() for part in ids):
            raise Open311Error(400, _("service_request_id must be numbers separated by commas."))
        return issues.filter(pk__in=[int(part) for part in ids])
    codes = _listed(params.get("service_code"))
    if codes:
        issues = issues.filter(category__in=codes)
    start, end = _moment(params.get("start_date"), "start_date"), _moment(params.get("end_date"), "end_date")
    if start is None and end is None:
        start = now - DEFAULT_SPAN
    if start is not None:
        issues = issues.filter(created_at__gte=start)
    if end is not None:
        issues = issues.filter(created_at__lte=end)
    statuses = _listed(params.get("status"))
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(400, _("status must be open, closed or both."))
        condition = Q()
        if "open" in statuses:
            condition |= ~Q(status__in=documents.CLOSED_STATUSES)
        if "closed" in statuses:
            condition |= Q(status__in=documents.CLOSED_STATUSES)
        issues = issues.filter(condition)
    return issues[:DEFAULT_LIMIT]


class RequestListView(Open311View):
    def get(self, request: Request, fmt: str) -> HttpResponse:
        issues = filtered_requests(request.query_params, timezone.now())
        document = [documents.service_request(issue, request.build_absolute_uri) for issue in issues]
        return answer(document, "service_requests", fmt)

    def post(self, request: Request, fmt: str) -> HttpResponse:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is None:
            raise Open311Error(403, _("An api_key is required to file a service request."))
        if key.user is None or not request.user.is_authenticated:
            raise Open311Error(403, _("This api_key may read but not file service requests."))
        data = request.data
        if any("\x00" in str(value) for value in data.values()):
            raise Open311Error(400, _("Parameters cannot contain NUL characters."))
        code = (data.get("service_code") or "").strip()
        if code not in IssueCategory.values:
            raise Open311Error(400, _("service_code is missing or unknown: see services.%(fmt)s.") % {"fmt": fmt})
        project = Project.objects.filter(code=(data.get("attribute[project]") or "").strip()).first()
        if project is None:
            raise Open311Error(400, _("attribute[project] must be the code of a project you supervise."))
        severity = (data.get("attribute[severity]") or IssueSeverity.GENERAL).strip()
        photos = request.FILES.getlist("media")
        if not photos and data.get("media_url"):
            raise Open311Error(400, _("Send the photo itself as the multipart field media; media_url is not fetched."))
        try:
            issue = site_issue_report(
                actor=request.user,
                project=project,
                category=code,
                severity=severity,
                description=data.get("description") or "",
                location=data.get("address_string") or "",
                photos=photos,
                latitude=_coordinate(data.get("lat"), "lat"),
                longitude=_coordinate(data.get("long"), "long"),
            )
        except PermissionDenied as error:
            raise Open311Error(403, str(error)) from error
        except ValidationError as error:
            messages = [f"{name}: {message}" for name, found in error.message_dict.items() for message in found]
            raise Open311Error(400, *messages) from error
        return answer(documents.created(issue), "service_requests", fmt, status=201)


def _coordinate(value: str | None, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip()).quantize(Decimal("0.000001"))
    except InvalidOperation as error:
        raise Open311Error(400, _("%(name)s must be a number in decimal degrees.") % {"name": name}) from error


class RequestDetailView(Open311View):
    def get(self, request: Request, pk: str, fmt: str) -> HttpResponse:
        issue = public_issue_list().filter(pk=int(pk), status__in=PUBLIC_STATUSES).first() if pk.isdigit() else None
        if issue is None:
            raise Open311Error(404, _("No public service request with id %(id)s.") % {"id": pk})
        return answer([documents.service_request(issue, request.build_absolute_uri)], "service_requests", fmt)
