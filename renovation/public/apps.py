from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public web shell (layout, styles, language switch) that the Wagtail pages and the
    supervisors' mobile pages share."""

    name = "renovation.public"
    label = "public"
    verbose_name = _("Public web shell")
