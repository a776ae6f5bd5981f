"""Edits in Wagtail invalidate the public pages that show them (renovation/public/cache.py).

Wagtail's own publishing is not one of our services, so its signals report the change: a
project page's edit touches that project's page, the index and the home page (titles, links),
and the notices (通知公告); a notice's edit the same, for the project it belongs to (if any);
an edit of the home or an index page itself, or a move, touches every page (menus, URLs); so does
a view restriction set or lifted (private pages leave every listing, and their own stored copy),
and a Site saved or deleted (hostnames and root pages: every URL). Both also drop every process's
memo of the routes (cms/routing.py). A document of the library edited or deleted is an edit of the
pages that list it (its title, file and size show there): ``Change.PAGE`` for the projects whose
pages list it, reported only when some page does.
A notice moved from one project to another leaves the old project's page as well: the project the
live notice had is read before its publication overwrites it (``live_project_before_publish``)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from renovation.public.cache import Change, pages_changed


def page_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Project pages and notices have a project (a notice perhaps none); the home and index pages do not.
    if hasattr(instance, "project_id"):
        before = getattr(instance, "_live_project_id_before_publish", None)
        pages_changed(Change.PAGE, project_id=instance.project_id, project_ids=[before] if before else [])
    else:
        pages_changed(Change.SITE)


def live_project_before_publish(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Remember the project of the notice as it is live, before a publication writes the new one.

    Wagtail writes a page's content only when it publishes it (a whole save; a draft saves a few
    bookkeeping fields), so only whole saves of an existing notice are looked at."""
    if update_fields is not None or instance.pk is None or kwargs.get("raw"):
        return
    live = type(instance).objects.filter(pk=instance.pk, live=True).values_list("project_id", flat=True).first()
    instance._live_project_id_before_publish = live


def document_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A document saved (title, file) or about to be deleted (its rows on the pages go with it)."""
    from .documents import PublicDocument

    if kwargs.get("raw") or instance.pk is None:
        return
    listed = list(
        PublicDocument.objects.filter(document_id=instance.pk).values_list("page__projectpage__project_id", flat=True)
    )
    if listed:
        pages_changed(Change.PAGE, project_ids={project_id for project_id in listed if project_id is not None})


def page_moved(sender: Any, instance: Any, **kwargs: Any) -> None:
    pages_changed(Change.SITE)


def restriction_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        pages_changed(Change.SITE)


def site_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        pages_changed(Change.SITE)


def connect() -> None:
    from wagtail.documents import get_document_model
    from wagtail.models import PageViewRestriction, Site

    from .models import HomePage, NoticeIndexPage, NoticePage, ProjectIndexPage, ProjectPage

    post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="cms.cache.restriction_saved")
    post_delete.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid="cms.cache.restriction_deleted")

    document_model = get_document_model()
    post_save.connect(document_changed, sender=document_model, dispatch_uid="cms.cache.document_saved")
    pre_delete.connect(document_changed, sender=document_model, dispatch_uid="cms.cache.document_deleted")

    post_save.connect(site_changed, sender=Site, dispatch_uid="cms.cache.site_saved")
    post_delete.connect(site_changed, sender=Site, dispatch_uid="cms.cache.site_deleted")

    page_published.connect(page_changed, dispatch_uid="cms.cache.published")
    page_unpublished.connect(page_changed, dispatch_uid="cms.cache.unpublished")
    post_page_move.connect(page_moved, dispatch_uid="cms.cache.moved")
    pre_save.connect(live_project_before_publish, sender=NoticePage, dispatch_uid="cms.cache.notice_project_before")
    for model in (HomePage, ProjectIndexPage, ProjectPage, NoticeIndexPage, NoticePage):
        post_delete.connect(page_changed, sender=model, dispatch_uid=f"cms.cache.deleted.{model.__name__}")
