"""The maps of the public pages: the project index's projects and a project's estate with its
public site issues. Each is one call from the page's get_context, at a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.places.maps import ISSUE, PROJECT, map_point, place_map, tile_layers
from renovation.projects.models import Project, ProjectStatus
from renovation.supervision.selectors import public_issue_locations


def index_map(pages: QuerySet, index_url: str) -> dict[str, Any] | None:
    """Every project the index's filters select (not only the list's page) whose estate has a
    position, up to MAP_INDEX_MAX_PROJECTS, each linking to its page (the index's children:
    ``index_url`` and the slug). One query, of plain values; none when there are no tiles."""
    if tile_layers() is None:
        return None  # no map is drawn: read nothing for it
    located = pages.filter(
        project__neighbourhood__latitude__isnull=False, project__neighbourhood__longitude__isnull=False
    ).values_list(
        "slug",
        "project__name",
        "project__plan_year",
        "project__status",
        "project__neighbourhood__latitude",
        "project__neighbourhood__longitude",
    )[: settings.MAP_INDEX_MAX_PROJECTS]
    points = [
        map_point(
            latitude,
            longitude,
            kind=PROJECT,
            title=name,
            detail=f"{plan_year} · {ProjectStatus(status).label}",
            url=f"{index_url}{slug}/",
        )
        for slug, name, plan_year, status, latitude, longitude in located
    ]
    return place_map(points, label=_("Map of the projects"), dom_id="project-index-map")


def project_map(project: Project) -> dict[str, Any] | None:
    """The estate's centre and the project's public site issues that carry a position, placed
    to MAP_ISSUE_DECIMALS (≈10 m by default: the building, never the flat). One query."""
    if tile_layers() is None:
        return None  # no map is drawn: read nothing for it
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
