from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TenderingConfig(AppConfig):
    name = "renovation.tendering"
    verbose_name = pgettext_lazy("admin section", "Tendering")

    def ready(self) -> None:
        from renovation.projects.lifecycle import register_gate

        from .gates import mandatory_tenders_gate
        from .private_files import register_bidder_documents

        register_gate(mandatory_tenders_gate)
        register_bidder_documents()
