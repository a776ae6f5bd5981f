from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.models import PageLogEntry
from wagtail.permissions import policy_registry

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.notifications.services import followers_notify_notice
from renovation.places.services import PLACE_RENAMED_HOOK
from renovation.projects.models import Project

from . import selectors as cms_selectors
from .services import NOTICE_PUBLISHED_HOOK, project_page_ensure, project_pages_reindex_for_place, project_pages_sync


@hooks.register("after_create_project")
def create_public_page(request: HttpRequest, project: Project) -> None:
    """Every project gets its public page as soon as staff create it."""
    page = project_page_ensure(project=project, actor=request.user)
    if page is not None:
        messages.info(
            request,
            _("The public page is online at %(url)s") % {"url": page.get_url(request) or page.url_path},
        )
    return None


@hooks.register("after_plan_import")
def publish_imported_projects(record: Any) -> None:
    """Projects created by the annual plan import get their public pages too."""
    project_pages_sync(actor=record.uploaded_by)


@hooks.register("tender_documents")
def tender_documents(tender: Any) -> list[Any]:
    """The tender page (renovation/tendering) lists the tender documents its project's page publishes."""
    return cms_selectors.tender_documents(tender)


@hooks.register(NOTICE_PUBLISHED_HOOK)
def tell_the_followers(*, notice: Any) -> None:
    """Followers of the notice's project (and of its street), or of its street, hear of a notice
    when it is first published; a corrected edit published again tells no one twice."""
    if notice.project_id is None and notice.street_id is None:  # city-wide: nobody follows the city
        return
    # Wagtail logs every publication; the first one is the only one followers hear of.
    if PageLogEntry.objects.filter(page_id=notice.pk, action="wagtail.publish").count() != 1:
        return
    followers_notify_notice(
        title=notice.title,
        url=notice.get_url() or notice.url_path,
        project=notice.project,
        street=notice.street,
        actor=notice.owner,
    )


@hooks.register(PLACE_RENAMED_HOOK)
def reindex_project_pages(*, place: Any) -> None:
    """The site search finds a project by its estate, community and street names: a rename
    re-indexes the project pages that show it."""
    project_pages_reindex_for_place(place=place)


@hooks.register("before_serve_document")
def keep_unpublished_documents_private(document: Any, request: HttpRequest) -> None:
    """A file of the document library is downloadable by anyone only once a live page publishes it
    (cms.selectors.document_is_public): a draft notice's attachment, or an unpublished one's, is
    not, whoever has its URL. Editors who may choose or change documents keep access (they attach
    them and preview drafts), street staff only for their own street's pages or their own uploads:
    Wagtail grants documents per collection, and all streets share one. Anyone else gets 404, as for
    a file that does not exist."""
    if cms_selectors.document_is_public(document):
        return None
    user = request.user
    policy = policy_registry.get_by_type(get_document_model())
    if not user.is_authenticated or not policy.user_has_any_permission_for_instance(
        user, ["change", "choose"], document
    ):
        raise Http404
    street_id = None if user.is_superuser or is_bureau(user) else staff_street_id(user)
    if street_id is None or document.uploaded_by_user_id == user.pk:
        return None
    if cms_selectors.document_used_in_street(document, street_id):
        return None
    raise Http404
