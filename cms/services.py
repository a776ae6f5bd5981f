"""Keeping the public page tree in step with the back end."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from renovation.projects.models import Project

from .models import ProjectIndexPage, ProjectPage


def project_page_ensure(*, project: Project, actor: Any = None) -> ProjectPage | None:
    """Create and publish the project's public page if it has none; return the page.

    Returns None when the site has no project index page yet (nothing to attach the page to).
    """
    existing = ProjectPage.objects.filter(project=project).first()
    if existing is not None:
        return existing
    index = ProjectIndexPage.objects.first()
    if index is None:
        return None
    owner = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        page = ProjectPage(title=project.name, slug=project.slug, project=project, owner=owner)
        index.add_child(instance=page)
        # Publishing is the system's decision here, not an editor's: skip page permissions.
        page.save_revision(user=owner, log_action=True).publish(user=owner, skip_permission_checks=True)
    return page


def project_pages_sync(*, actor: Any = None) -> int:
    """Give every project without a public page one; returns how many were created."""
    taken = ProjectPage.objects.values_list("project_id", flat=True)
    created = 0
    for project in Project.objects.exclude(pk__in=taken).order_by("pk"):
        if project_page_ensure(project=project, actor=actor) is not None:
            created += 1
    return created
