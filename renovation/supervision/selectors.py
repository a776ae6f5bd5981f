"""Reads of supervision data, each at a fixed number of queries."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.projects.models import Project

from .models import (
    AWAITING_FIX_STATUSES,
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    IssueStatus,
    PhotoKind,
    SiteIssue,
    SiteIssuePhoto,
)
from .permissions import built_project_ids, supervisor_of

ISSUE_RELATED = ("project__neighbourhood__community__street", "reporter__user")


def issues_visible_to(user: Any) -> QuerySet[SiteIssue]:
    """Every issue whose private record the user may see (reporter, builder, staff)."""
    queryset = SiteIssue.objects.select_related(*ISSUE_RELATED)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if is_bureau(user):
        return queryset
    condition = Q(reporter__user=user) | Q(project_id__in=built_project_ids(user))
    street = staff_street_id(user)
    if street is not None:
        condition |= Q(project__neighbourhood__community__street_id=street)
    return queryset.filter(condition)


def with_photos(queryset: QuerySet[SiteIssue]) -> QuerySet[SiteIssue]:
    photos = SiteIssuePhoto.objects.order_by("kind", "sort_order", "pk")
    return queryset.prefetch_related(Prefetch("photos", queryset=photos))


def overdue_first(queryset: QuerySet[SiteIssue]) -> QuerySet[SiteIssue]:
    now = timezone.now()
    return queryset.annotate(
        overdue=Case(
            When(status__in=AWAITING_FIX_STATUSES, deadline__lt=now, then=Value(0)),
            When(status=IssueStatus.SUBMITTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("overdue", "deadline", "created_at")


def supervisor_projects(user: Any) -> QuerySet:
    supervisor = supervisor_of(user)
    if supervisor is None:
        return Project.objects.none()
    return supervisor.projects.select_related("neighbourhood__community__street").order_by("-plan_year", "code")


def public_issues_of(project: Any) -> QuerySet[SiteIssue]:
    """Issues the public may see on a project's pages, newest first."""
    return with_photos(
        SiteIssue.objects.filter(project=project, status__in=PUBLIC_STATUSES).select_related("reporter__user")
    ).order_by("-created_at", "-pk")


def split_photos(issues: Iterable[SiteIssue]) -> list[SiteIssue]:
    """The issues with their (prefetched) photos split into before and after."""
    issues = list(issues)
    for issue in issues:
        photos = list(issue.photos.all())
        issue.before_photos = [photo for photo in photos if photo.kind == PhotoKind.BEFORE]
        issue.after_photos = [photo for photo in photos if photo.kind == PhotoKind.AFTER]
    return issues


def public_coordinate(value: Decimal | None) -> Decimal | None:
    """A site issue's latitude or longitude as every public place shows it (map, API, Open311):
    rounded to MAP_ISSUE_DECIMALS places (≈10 m by default: the building, never the flat)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-settings.MAP_ISSUE_DECIMALS), rounding=ROUND_HALF_UP)


def public_issue_locations(project: Any) -> list[SiteIssue]:
    """The public issues of a project that carry a position, for its map: one query, only the
    fields a map shows (never the reporter, never the text)."""
    return list(
        SiteIssue.objects.filter(project=project, status__in=PUBLIC_STATUSES, latitude__isnull=False)
        .exclude(longitude__isnull=True)
        .only("pk", "project_id", "category", "status", "created_at", "latitude", "longitude")
        .order_by("-created_at")
    )


def public_issues(project: Any, limit: int | None = None) -> list[SiteIssue]:
    """Issues the public may see on a project page (the latest ``limit`` if given), with before
    and after photos split."""
    issues = public_issues_of(project)
    return split_photos(issues[:limit] if limit is not None else issues)


def latest_public_photo(project: Any) -> SiteIssuePhoto | None:
    """The newest site photo the public may see of a project: a public issue's photo whose public
    copy has been made (one query)."""
    return (
        SiteIssuePhoto.objects.filter(issue__project=project, issue__status__in=PUBLIC_STATUSES)
        .exclude(public_thumbnail="")
        .select_related("issue")
        .order_by("-uploaded_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ResponseFigures:
    reported: int
    rectified: int
    open: int
    overdue: int
    median_days_to_accept: float | None
    median_days_to_rectify: float | None


def _median_days(durations: list[timedelta]) -> float | None:
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() for d in durations) / 86400, 1)


def response_figures(queryset: QuerySet[SiteIssue]) -> ResponseFigures:
    """How fast issues are taken up and fixed. Rectifying time runs from acceptance to the
    construction unit's report of the fix; one query."""
    now = timezone.now()
    rows = list(queryset.values_list("status", "created_at", "accepted_at", "rectified_at", "deadline"))
    done = (IssueStatus.RECTIFIED, IssueStatus.CONFIRMED)
    return ResponseFigures(
        reported=len(rows),
        rectified=sum(1 for status, *_ in rows if status in done),
        open=sum(1 for status, *_ in rows if status in OPEN_STATUSES),
        overdue=sum(
            1
            for status, _c, _a, _r, deadline in rows
            if status in AWAITING_FIX_STATUSES and deadline and deadline < now
        ),
        median_days_to_accept=_median_days([accepted - created for _s, created, accepted, _r, _d in rows if accepted]),
        median_days_to_rectify=_median_days(
            [rectified - accepted for _s, _c, accepted, rectified, _d in rows if accepted and rectified]
        ),
    )


def project_response_figures(project: Any) -> ResponseFigures:
    return response_figures(SiteIssue.objects.filter(project=project, status__in=PUBLIC_STATUSES))


def recent_response_figures(user: Any, days: int = 30) -> ResponseFigures:
    since = timezone.now() - timedelta(days=days)
    return response_figures(issues_visible_to(user).filter(created_at__gte=since))


def open_issues_visible_to(user: Any) -> QuerySet[SiteIssue]:
    return issues_visible_to(user).filter(status__in=OPEN_STATUSES)


def open_issues_by_project(user: Any) -> list[dict[str, Any]]:
    """Open and overdue counts per project (and its street), most overdue first; one query."""
    now = timezone.now()
    rows = (
        open_issues_visible_to(user)
        .values("project_id", "project__name", "project__neighbourhood__community__street__name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(status__in=AWAITING_FIX_STATUSES, deadline__lt=now)),
        )
        .order_by("-overdue", "-open", "project__name")
    )
    return list(rows)


def public_issue_list() -> QuerySet[SiteIssue]:
    """Every issue the public may see (accepted onwards), with project and photos, for the open
    data (the API and Open311). The reporter is not loaded: who reported is never open data."""
    return with_photos(
        SiteIssue.objects.filter(status__in=PUBLIC_STATUSES).select_related("project__neighbourhood__community__street")
    )
