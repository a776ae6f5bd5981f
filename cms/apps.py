from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from renovation.public.cache import on_pages_changed

        from . import cache
        from .permissions import editor_permissions_sync_after_migrate
        from .summary import summaries_after_change

        cache.connect()
        on_pages_changed(summaries_after_change)

        post_migrate.connect(editor_permissions_sync_after_migrate, dispatch_uid="cms.editor_permissions")
