from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangelogConfig(AppConfig):
    name = "renovation.changelog"
    label = "changelog"
    verbose_name = _("Change log")
