from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "renovation.consultation"
    label = "consultation"
    verbose_name = _("Consultation")

    def ready(self) -> None:
        from renovation.projects.lifecycle import register_gate

        from .gates import residents_decision_gate

        register_gate(residents_decision_gate)
