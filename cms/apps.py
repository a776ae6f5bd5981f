from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from wagtail.signals import page_published

        from renovation.consultation.brief import DOCUMENT_SOURCES
        from renovation.public.cache import on_pages_changed

        from . import cache
        from .home_summary import home_summary_after_change
        from .index_counts import index_counts_after_change
        from .models import NoticePage
        from .permissions import editor_permissions_sync_after_migrate
        from .selectors import consultation_documents
        from .services import notice_published_after_commit
        from .summary import summaries_after_change

        cache.connect()
        # Each change the project page's stored summary shows marks it stale in its transaction;
        # a job rebuilds it after the commit (cms.summary).
        on_pages_changed(summaries_after_change)
        # So does each change the home page's stored sections show (cms.home_summary).
        on_pages_changed(home_summary_after_change)
        # And each change the project index's kept totals show (cms.index_counts).
        on_pages_changed(index_counts_after_change)
        page_published.connect(notice_published_after_commit, sender=NoticePage, dispatch_uid="cms.notice_published")
        # The household's brief lists the project's plan and drawings (consultation never imports cms).
        if consultation_documents not in DOCUMENT_SOURCES:
            DOCUMENT_SOURCES.append(consultation_documents)

        post_migrate.connect(editor_permissions_sync_after_migrate, dispatch_uid="cms.editor_permissions")
