from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "renovation.evaluation"
    label = "evaluation"
    verbose_name = _("Street evaluation")

    def ready(self) -> None:
        from renovation.public.cache import on_pages_changed

        from .stored import league_after_change

        # Each change /streets/ shows marks its kept rendering stale after the commit; a job
        # renders it again (stored.py).
        on_pages_changed(league_after_change)
