from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "renovation.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from renovation.public.cache import on_pages_changed

        from .stored import open_data_after_change

        # Each change the stored open-data texts show marks them stale in its transaction; a job
        # encodes them again after the commit (opendata.stored).
        on_pages_changed(open_data_after_change)
