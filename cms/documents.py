"""Public documents: files in Wagtail's document library, published through the pages that list them.

A project page lists its 改造方案, 设计图, 验收报告 and its tenders' 招标文件; a notice lists its
attachments (附件). One model for both, so the site search finds every public document in one
index. The rows are the page's own (a ``ParentalKey``): drafts keep them in the page's revisions,
and publishing the page writes them, so what is here is what is published (search still checks
that the page is live).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from .search import cjk_spaced


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Renovation plan (改造方案)")
    DESIGN = "design", _("Design drawings (设计图)")
    ACCEPTANCE = "acceptance", _("Acceptance report (验收报告)")
    TENDER = "tender", _("Tender documents (招标文件)")
    ATTACHMENT = "attachment", _("Attachment (附件)")


PROJECT_DOCUMENT_KINDS = [DocumentKind.PLAN, DocumentKind.DESIGN, DocumentKind.ACCEPTANCE, DocumentKind.TENDER]


class PublicDocument(index.Indexed, Orderable):
    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="public_documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.ATTACHMENT)
    # Deleting a file from the library takes it off the pages that list it (Wagtail shows its uses first).
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    tender = models.ForeignKey(
        "tendering.Tender",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tender"),
        help_text=_("For tender documents: the tender they belong to (one of this project's)."),
    )

    project_panels = [FieldPanel("kind"), FieldPanel("document"), FieldPanel("tender")]
    notice_panels = [FieldPanel("document")]

    search_fields = [
        index.SearchField("search_text"),
        index.FilterField("kind"),
        index.RelatedFields("page", [index.FilterField("live"), index.FilterField("path")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("public document")
        verbose_name_plural = _("public documents")

    def __str__(self) -> str:
        return self.document.title if self.document_id else str(self.get_kind_display())

    def search_text(self) -> str:
        return cjk_spaced(self.document.title, self.get_kind_display(), self.page.title)

    def clean(self) -> None:
        super().clean()
        if self.kind == DocumentKind.TENDER and self.tender_id is None:
            raise ValidationError({"tender": _("Choose the tender these documents belong to.")})
        if self.kind != DocumentKind.TENDER and self.tender_id is not None:
            raise ValidationError({"tender": _("Only tender documents belong to a tender.")})
        try:
            project_id = getattr(self.page, "project_id", None)
        except models.ObjectDoesNotExist:  # a new page's rows are checked before the page exists
            project_id = None
        if self.tender_id is not None and project_id is not None and self.tender.project_id != project_id:
            raise ValidationError({"tender": _("Choose one of this project's tenders.")})
