"""Keeping the public page tree in step with the back end."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Site
from wagtail.permissions import policy_registry
from wagtail.rich_text import RichText

from renovation.discussion.services import thread_for_project
from renovation.jobs.queue import enqueue_on_commit
from renovation.places.models import Community, Neighbourhood, Street
from renovation.projects.models import Project
from renovation.public.cache import Change, pages_changed

from .models import (
    HomePage,
    HomePublicSummary,
    NoticeIndexPage,
    NoticePage,
    ProjectIndexCounts,
    ProjectIndexPage,
    ProjectPage,
    PublicDocument,
)
from .permissions import may_write_notice_for
from .search import project_pages_reindex

Document = get_document_model()

# Wagtail hook called with the notice once its publication has committed: ``fn(notice=NoticePage)``.
NOTICE_PUBLISHED_HOOK = "notice_published"


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
        # The public thread opens with the page, so showing the page never has to write.
        thread_for_project(project)
        pages_changed(Change.PAGE, project_id=project.pk)
    return page


def project_pages_sync(*, actor: Any = None) -> int:
    """Give every project without a public page one; returns how many were created."""
    taken = ProjectPage.objects.values_list("project_id", flat=True)
    created = 0
    for project in Project.objects.exclude(pk__in=taken).order_by("pk"):
        if project_page_ensure(project=project, actor=actor) is not None:
            created += 1
    return created


def project_pages_reindex_for_place(*, place: Street | Community | Neighbourhood) -> None:
    """A place was renamed (or moved): re-index the project pages whose search text names it,
    in the task queue once the rename commits (places' ``place_renamed`` hook)."""
    pages = ProjectPage.objects.all()
    if isinstance(place, Neighbourhood):
        pages = pages.filter(project__neighbourhood=place)
    elif isinstance(place, Community):
        pages = pages.filter(project__neighbourhood__community=place)
    else:
        pages = pages.filter(project__neighbourhood__community__street=place)
    page_ids = list(pages.order_by("pk").values_list("pk", flat=True))
    if page_ids:
        enqueue_on_commit(project_pages_reindex, page_ids)


def site_ensure() -> ProjectIndexPage:
    """The home page, the project index and the default site, created if missing (a fresh
    database gets them from migration 0002; this restores them after a wipe)."""
    with transaction.atomic():
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
            home = root.add_child(instance=HomePage(title=settings.WAGTAIL_SITE_NAME, slug="home"))
        if not Site.objects.filter(is_default_site=True).exists():
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        index = ProjectIndexPage.objects.first()
        if index is None:
            index = home.add_child(instance=ProjectIndexPage(title="改造项目", slug="projects"))
        if not NoticeIndexPage.objects.exists():
            home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    return index


def notice_published(*, notice: NoticePage) -> None:
    """A notice went public (first publication or a republished edit), after its transaction
    committed. Whoever follows its project or street is told by the apps that register the
    ``notice_published`` hook (notifications); the notice gives them ``pk``, ``title``,
    ``project_id``, ``street_id``, ``date`` and ``url``. cms imports none of them."""
    for listener in hooks.get_hooks(NOTICE_PUBLISHED_HOOK):
        listener(notice=notice)


def notice_published_after_commit(sender: Any, instance: NoticePage, **kwargs: Any) -> None:
    """Wagtail's ``page_published`` for a notice (the editor's Publish, a scheduled publication,
    or code): ``notice_published`` runs once the publication has committed."""
    transaction.on_commit(lambda: notice_published(notice=instance))


# --- Notices and documents, written by code (the demo, imports); editors use Wagtail's editor. ---


def document_upload(*, actor: Any, title: str, file: Any) -> Document:
    """Put a file into Wagtail's document library, as an editor's upload would."""
    if not policy_registry.get_by_type(Document).user_has_permission(actor, "add"):
        raise PermissionDenied(_("You may not upload documents."))
    extension = os.path.splitext(getattr(file, "name", ""))[1].lstrip(".").lower()
    if extension not in settings.WAGTAILDOCS_EXTENSIONS:
        raise ValidationError({"file": _("This kind of file cannot be published here.")})
    document = Document(title=title, file=file, uploaded_by_user=actor, collection=Collection.get_first_root_node())
    document.full_clean()
    with transaction.atomic():
        document.save()
    return document


def notice_publish(
    *,
    actor: Any,
    title: str,
    paragraphs: list[str],
    street: Any = None,
    project: Project | None = None,
    notice_date: date | None = None,
    attachments: list[Document] = (),
    slug: str | None = None,
) -> NoticePage:
    """Write and publish a notice under the notice index, with the permissions an editor has there."""
    index = NoticeIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("The site has no notices section."))
    if project is not None:
        street = project.neighbourhood.community.street
    if not index.permissions_for_user(actor).can_publish_subpage() or not may_write_notice_for(actor, street):
        raise PermissionDenied(_("You may not publish this notice."))
    notice = NoticePage(
        title=title,
        slug=slug or slugify(title, allow_unicode=True)[:80] or "notice",
        date=notice_date or timezone.localdate(),
        street=street,
        project=project,
        body=[("paragraph", RichText(f"<p>{escape(text)}</p>")) for text in paragraphs],
        owner=actor,
    )
    notice.public_documents = [PublicDocument(document=document) for document in attachments]
    with transaction.atomic():
        index.add_child(instance=notice)
        notice.save_revision(user=actor, log_action=True).publish(user=actor)
    return notice


def project_document_add(*, actor: Any, project: Project, document: Document, kind: str, tender: Any = None) -> Any:
    """List a document on the project's public page (a new revision of the page, published)."""
    page = ProjectPage.objects.filter(project=project).first()
    if page is None:
        raise ValidationError(_("The project has no public page yet."))
    permissions = page.permissions_for_user(actor)
    if not (permissions.can_edit() and permissions.can_publish()):
        raise PermissionDenied(_("You may not publish this project's page."))
    page = page.get_latest_revision_as_object()
    row = PublicDocument(document=document, kind=kind, tender=tender)
    page.public_documents.add(row)
    row.page = page
    row.full_clean(exclude=["page"])
    with transaction.atomic():
        page.save_revision(user=actor, log_action=True).publish(user=actor)
    return row


# --- The home page's stored summary (cms.home_summary): system writes, checking no actor. ---


def home_public_summaries_ensure() -> None:
    """Give each language its home page summary row, stale until built (see HomePublicSummary), so
    that every later change has a generation to bump."""
    HomePublicSummary.objects.bulk_create(
        [HomePublicSummary(language=code, version=0, valid_until=timezone.now()) for code, _name in settings.LANGUAGES],
        ignore_conflicts=True,  # a concurrent job or change made it meanwhile: it is there, as wanted
    )


def home_public_summaries_mark_stale() -> None:
    """Mark the home page's summary stale in every language, right after the commit of a change
    that alters it (cms.home_summary.rebuilds): from then until its rebuild, the page renders live.
    One UPDATE once the rows exist; missing ones are made, then marked."""
    if HomePublicSummary.objects.update(generation=F("generation") + 1) < len(settings.LANGUAGES):
        home_public_summaries_ensure()
        # Bumped again: a row a job inserted since the first UPDATE must not be taken as current.
        HomePublicSummary.objects.update(generation=F("generation") + 1)


def home_public_summary_store(
    *, language: str, generation: int | None, version: int, build: str, content: str, signature: str, valid_until: Any
) -> bool:
    """Keep the home page's summary in a language, rendered from what was committed when its row
    stood at ``generation``; written only if no change has bumped the generation since (that
    change's own job writes it): returns whether it was written."""
    if generation is None:
        return False
    written = HomePublicSummary.objects.filter(language=language, generation=generation).update(
        version=version,
        build=build,
        content=content,
        signature=signature,
        built_generation=generation,
        built_at=timezone.now(),
        valid_until=valid_until,
    )
    return bool(written)


# --- The project index's kept counts (cms.index_counts): system writes, checking no actor. ---


def project_index_counts_ensure() -> None:
    """Give each project index its counts row, stale until counted (see ProjectIndexCounts), so
    that every later change has a generation to bump."""
    ProjectIndexCounts.objects.bulk_create(
        [
            ProjectIndexCounts(index_id=index_id, version=0, valid_until=timezone.now())
            for index_id in ProjectIndexPage.objects.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,  # a concurrent job or change made it meanwhile: it is there, as wanted
    )


def project_index_counts_mark_stale() -> None:
    """Mark every project index's counts stale, right after the commit of a change the index shows
    (cms.index_counts.rebuilds): from then until they are counted again, the index counts live.
    An index made since its row was (a new one has none) counts live until the job makes it."""
    ProjectIndexCounts.objects.update(generation=F("generation") + 1)


def project_index_counts_store(*, index_id: int, generation: int, version: int, counts: str, valid_until: Any) -> bool:
    """Keep an index's counts, counted from what was committed when its row stood at
    ``generation``; written only if no change has bumped the generation since (that change's own
    job writes it): returns whether it was written."""
    written = ProjectIndexCounts.objects.filter(index_id=index_id, generation=generation).update(
        version=version,
        counts=counts,
        built_generation=generation,
        built_at=timezone.now(),
        valid_until=valid_until,
    )
    return bool(written)
