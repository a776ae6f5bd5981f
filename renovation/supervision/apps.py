from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "renovation.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from .private_files import register_site_issue_photos

        register_site_issue_photos()
