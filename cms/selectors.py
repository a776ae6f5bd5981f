"""Reads of the public site's own content: documents and notices, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from renovation.consultation.brief import ProjectDocument
from renovation.public.prepared import PreparedObjects

from .documents import PROJECT_DOCUMENT_KINDS, DocumentKind, PublicDocument
from .notices import NoticePage
from .visibility import unrestricted

PROJECT_NOTICES_SHOWN = 5


@dataclass
class DocumentGroup:
    kind: str
    label: str
    documents: list[PublicDocument] = field(default_factory=list)


@dataclass
class ProjectPublications:
    """What the project page lists of the site's content: its documents by kind, its latest notices."""

    document_groups: list[DocumentGroup]
    notices: list[NoticePage]
    more_notices: bool


def project_publications(page: Any) -> ProjectPublications:
    """The project page's documents and notices, in two queries."""
    groups = {kind.value: DocumentGroup(kind=kind.value, label=str(kind.label)) for kind in PROJECT_DOCUMENT_KINDS}
    for row in PublicDocument.objects.filter(page_id=page.pk).select_related("document").order_by("sort_order"):
        if row.kind in groups:
            groups[row.kind].documents.append(row)
    notices = list(
        unrestricted(NoticePage.objects.live())
        .filter(project_id=page.project_id)
        .order_by("-date", "-pk")[: PROJECT_NOTICES_SHOWN + 1]
    )
    return ProjectPublications(
        document_groups=[group for group in groups.values() if group.documents],
        notices=notices[:PROJECT_NOTICES_SHOWN],
        more_notices=len(notices) > PROJECT_NOTICES_SHOWN,
    )


_TENDER_DOCUMENTS = PreparedObjects(
    lambda tender: (
        PublicDocument.objects.filter(kind=DocumentKind.TENDER, tender=tender, page__live=True)
        .select_related("document")
        .order_by("sort_order", "pk")
    ),
    tender=PublicDocument._meta.get_field("tender"),
)


def tender_documents(tender: Any) -> list[PublicDocument]:
    """A tender's documents (招标文件), as its project's published page lists them; one query,
    compiled once per process (renovation/public/prepared.py): every tender page runs it."""
    return _TENDER_DOCUMENTS.objects(tender=tender.pk)


def consultation_documents(project: Any) -> list[ProjectDocument]:
    """The project's published 改造方案 and 设计图, for the household's brief before it answers
    (renovation.consultation.brief.DOCUMENT_SOURCES; registered in CmsConfig.ready). One query."""
    rows = (
        PublicDocument.objects.filter(
            page__projectpage__project_id=project.pk,
            page__live=True,
            kind__in=[DocumentKind.PLAN, DocumentKind.DESIGN],
        )
        .select_related("document")
        .order_by("sort_order", "pk")
    )
    return [
        ProjectDocument(
            title=row.document.title,
            url=row.document.url,
            when=row.document.created_at.date() if row.document.created_at else None,
            kind=str(row.get_kind_display()),
        )
        for row in rows
    ]


def _pages_using(document: Any) -> tuple[list[int], list[int]]:
    """The ids of the pages, in any state, that list the document or link it from their content."""
    listed = list(PublicDocument.objects.filter(document_id=document.pk).values_list("page_id", flat=True))
    linked = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return listed, [int(pk) for pk in linked if pk.isdigit()]


def document_used_in_street(document: Any, street_id: int) -> bool:
    """Whether a page of the street (a notice of that street, the page of a project there), in any
    state, lists or links the document: its draft attachments are that street's staff's business."""
    from .models import ProjectPage  # cms.models reads this module

    listed, linked = _pages_using(document)
    pages = [*listed, *linked]
    if not pages:
        return False
    return (
        NoticePage.objects.filter(pk__in=pages, street_id=street_id).exists()
        or ProjectPage.objects.filter(pk__in=pages, project__neighbourhood__community__street_id=street_id).exists()
    )


def document_is_public(document: Any) -> bool:
    """Whether a file of the document library is published: a live page lists it (a notice's
    attachment, a project page's document) or links it from its content (Wagtail's reference
    index: a notice body's document block). A draft's, or an unpublished page's, is not. Two
    queries at most."""
    if unrestricted(PublicDocument.objects.filter(document_id=document.pk, page__live=True), "page__path").exists():
        return True
    page_ids = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return unrestricted(Page.objects.live()).filter(pk__in=[int(pk) for pk in page_ids if pk.isdigit()]).exists()
