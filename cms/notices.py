"""通知公告: notices the bureau and the street offices write in Wagtail.

A notice may belong to a street and to a project (then it is shown on the project's page too).
Bureau staff write notices for any street or the whole city; street staff only for their own
street (``NoticePermissionTester`` narrows Wagtail's page permissions, ``NoticePageForm`` the
choices).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page, PagePermissionTester
from wagtail.search import index

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.places.models import Street
from renovation.projects.models import Project
from renovation.public.cache import depends_on

from .documents import PublicDocument
from .permissions import may_write_notice_for
from .routing import ViewRestrictionsInOneQuery
from .search import cjk_spaced, text_param
from .visibility import unrestricted

NOTICES_PAGE_SIZE = 20


class NoticeIndexPage(ViewRestrictionsInOneQuery, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("notice index page")

    def permissions_for_user(self, user: Any) -> PagePermissionTester:
        return NoticeIndexPermissionTester(user, self)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        depends_on(request, "notices")
        context = super().get_context(request, *args, **kwargs)
        street = text_param(request, "street", 40)
        notices = (
            unrestricted(NoticePage.objects.live().child_of(self))
            .select_related("street", "project")
            .order_by("-date", "-pk")
        )
        if street:
            notices = notices.filter(street__code=street)
        paginator = Paginator(notices, NOTICES_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(
            {
                "page_obj": page_obj,
                "street": street,
                "streets": Street.objects.order_by("name"),
                "filter_query": f"street={street}" if street else "",
            }
        )
        return context


class NoticePageForm(WagtailAdminPageForm):
    """Street staff choose only their own street (it is required for them) and its projects."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or is_bureau(user):
            return
        street_id = staff_street_id(user)
        self.fields["street"].queryset = Street.objects.filter(pk=street_id)
        self.fields["street"].required = True
        if self.instance.street_id is None:
            self.initial["street"] = street_id
        self.fields["project"].queryset = Project.objects.filter(neighbourhood__community__street_id=street_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        project = cleaned.get("project")
        street = cleaned.get("street")
        if project is not None:
            project_street = project.neighbourhood.community.street
            if street is not None and street.pk != project_street.pk:
                self.add_error("street", _("The project is in %(street)s.") % {"street": project_street.name})
            else:
                cleaned["street"] = project_street
        if self.for_user is not None and not may_write_notice_for(self.for_user, cleaned.get("street")):
            self.add_error("street", _("You may write notices only for your own street."))
        return cleaned


class NoticeIndexPermissionTester(PagePermissionTester):
    """Street staff add and publish notices under the index, but leave the index itself alone."""

    def _street_staff(self) -> bool:
        return not is_bureau(self.user) and staff_street_id(self.user) is not None

    def can_edit(self) -> bool:
        return not self._street_staff() and super().can_edit()

    def can_delete(self, ignore_bulk: bool = False) -> bool:
        return not self._street_staff() and super().can_delete(ignore_bulk=ignore_bulk)

    def can_publish(self) -> bool:
        return not self._street_staff() and super().can_publish()

    def can_unpublish(self) -> bool:
        return not self._street_staff() and super().can_unpublish()

    def can_lock(self) -> bool:
        return not self._street_staff() and super().can_lock()

    def can_reorder_children(self) -> bool:
        return not self._street_staff() and super().can_reorder_children()


class NoticePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, minus another street's notices for street staff."""

    def __init__(self, user: Any, page: NoticePage) -> None:
        super().__init__(user, page)
        if hasattr(self, "permissions") and not may_write_notice_for(user, page.street_id):
            self.permissions = set()


class NoticePage(ViewRestrictionsInOneQuery, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    street = models.ForeignKey(
        "places.Street",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("street"),
        help_text=_("Leave empty for a notice to the whole city (bureau staff only)."),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
        help_text=_("The notice is shown on this project's page too."),
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Heading"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "ol", "ul", "link"])),
            ("document", DocumentChooserBlock(label=_("Document link"))),
            ("image", ImageChooserBlock(label=_("Image"))),
        ],
        verbose_name=_("body"),
        blank=True,
    )

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("street"),
        FieldPanel("project"),
        FieldPanel("body"),
        InlinePanel("public_documents", label=_("Attachments"), panels=PublicDocument.notice_panels),
    ]
    base_form_class = NoticePageForm
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types: list[str] = []

    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
        index.FilterField("date"),
        index.FilterField("street"),
        index.FilterField("project"),
    ]

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def permissions_for_user(self, user: Any) -> PagePermissionTester:
        return NoticePermissionTester(user, self)

    def search_text(self) -> str:
        texts = [self.title]
        for block in self.body:
            if block.block_type in ("heading", "paragraph"):
                texts.append(str(block.value.source if hasattr(block.value, "source") else block.value))
            elif block.block_type == "document" and block.value is not None:
                texts.append(block.value.title)
        return cjk_spaced(*texts)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        depends_on(request, "notices")
        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = list(self.public_documents.select_related("document").order_by("sort_order"))
        return context

    def clean(self) -> None:
        super().clean()
        if self.project_id is not None and self.street_id is None:
            raise ValidationError({"street": _("A project's notice belongs to the project's street.")})
