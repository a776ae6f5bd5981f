from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from wagtail.signals import page_published

        from . import cache
        from .models import NoticePage
        from .permissions import editor_permissions_sync_after_migrate
        from .services import notice_published_after_commit

        cache.connect()
        # The household's brief lists the project's plan and drawings (consultation never imports cms).
        from renovation.consultation.brief import DOCUMENT_SOURCES

        from .selectors import consultation_documents

        if consultation_documents not in DOCUMENT_SOURCES:
            DOCUMENT_SOURCES.append(consultation_documents)
        page_published.connect(notice_published_after_commit, sender=NoticePage, dispatch_uid="cms.notice_published")

        post_migrate.connect(editor_permissions_sync_after_migrate, dispatch_uid="cms.editor_permissions")
