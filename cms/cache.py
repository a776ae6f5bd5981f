"""Edits in Wagtail invalidate the public pages that show them (renovation/public/cache.py).

Wagtail's own publishing is not one of our services, so its signals report the change: a
project page's edit touches that project's page, the index and the home page (titles, links),
and the notices (通知公告); a notice's edit the same, for the project it belongs to (if any);
an edit of the home or an index page itself, or a move, touches every page (menus, URLs)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from renovation.public.cache import Change, pages_changed


def page_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Project pages and notices have a project (a notice perhaps none); the home and index pages do not.
    if hasattr(instance, "project_id"):
        pages_changed(Change.PAGE, project_id=instance.project_id)
    else:
        pages_changed(Change.SITE)


def page_moved(sender: Any, instance: Any, **kwargs: Any) -> None:
    pages_changed(Change.SITE)


def connect() -> None:
    from .models import HomePage, NoticeIndexPage, NoticePage, ProjectIndexPage, ProjectPage

    page_published.connect(page_changed, dispatch_uid="cms.cache.published")
    page_unpublished.connect(page_changed, dispatch_uid="cms.cache.unpublished")
    post_page_move.connect(page_moved, dispatch_uid="cms.cache.moved")
    for model in (HomePage, ProjectIndexPage, ProjectPage, NoticeIndexPage, NoticePage):
        post_delete.connect(page_changed, sender=model, dispatch_uid=f"cms.cache.deleted.{model.__name__}")
