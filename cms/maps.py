"""The maps of the public pages: the project index's projects and a project's estate with its
public site issues. Each is one call from the page's get_context, at a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.places.maps import ISSUE, PROJECT, map_point, place_map
from renovation.projects.models import Project
from renovation.supervision.selectors import public_issue_locations


def index_map(pages: QuerySet, request: HttpRequest) -> dict[str, Any] | None:
    """Every project the index's filters select (not only the list's page) whose estate has a
    position, up to MAP_INDEX_MAX_PROJECTS, each linking to its page. One query."""
    located = pages.filter(
        project__neighbourhood__latitude__isnull=False, project__neighbourhood__longitude__isnull=False
    ).select_related("project__neighbourhood")[: settings.MAP_INDEX_MAX_PROJECTS]
    points = [
        map_point(
            page.project.neighbourhood.latitude,
            page.project.neighbourhood.longitude,
            kind=PROJECT,
            title=page.project.name,
            detail=f"{page.project.plan_year} · {page.project.get_status_display()}",
            url=page.get_url(request) or page.url_path,
        )
        for page in located
    ]
    return place_map(points, label=_("Map of the projects"), dom_id="project-index-map")


def project_map(project: Project) -> dict[str, Any] | None:
    """The estate's centre and the project's public site issues that carry a position, placed
    to MAP_ISSUE_DECIMALS (≈10 m by default: the building, never the flat). One query."""
    neighbourhood = project.neighbourhood
    points = []
    if neighbourhood.latitude is not None and neighbourhood.longitude is not None:
        points.append(
            map_point(neighbourhood.latitude, neighbourhood.longitude, kind=PROJECT, title=neighbourhood.name)
        )
    for issue in public_issue_locations(project):
        points.append(
            map_point(
                issue.latitude,
                issue.longitude,
                kind=ISSUE,
                title=issue.get_category_display(),
                detail=f"{issue.get_status_display()} · {timezone.localtime(issue.created_at):%Y-%m-%d}",
                url="#site-issues",
                places=settings.MAP_ISSUE_DECIMALS,
            )
        )
    return place_map(points, label=_("Map of the estate and its site issues"), dom_id="project-map")
