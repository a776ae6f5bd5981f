from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo builder (`manage.py seed_demo`). Nothing else imports it: the public pages and the
    back office work the same without it."""

    name = "renovation.demo"
    label = "demo"
    verbose_name = _("Demo data")
