from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ReportsConfig(AppConfig):
    name = "renovation.reports"
    label = "reports"
    # A context of its own: the catalogue already has "Reports" as the count of reported comments.
    verbose_name = pgettext_lazy("exports", "Reports")
