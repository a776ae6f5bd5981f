from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "renovation.api"
    label = "api"
    verbose_name = _("Open data API")

    def ready(self) -> None:
        from renovation.public.cache import gate_register

        from . import schema  # noqa: F401  (registers the key scheme with drf-spectacular)
        from .base import cache_gate

        gate_register("api", cache_gate)
