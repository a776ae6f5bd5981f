from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "renovation.api"
    label = "api"
    verbose_name = _("Open data API")

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the key scheme with drf-spectacular)
