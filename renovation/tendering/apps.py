from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TenderingConfig(AppConfig):
    name = "renovation.tendering"
    verbose_name = pgettext_lazy("admin section", "Tendering")

    def ready(self) -> None:
        from renovation.projects.lifecycle import register_gate
        from renovation.public.cache import on_pages_changed

        from .gates import mandatory_tenders_gate
        from .private_files import register_bidder_documents
        from .tender_summary import tender_summaries_after_change

        register_gate(mandatory_tenders_gate)
        register_bidder_documents()
        # The opened tenders' kept sections, marked stale after the commit of a change they show.
        on_pages_changed(tender_summaries_after_change)
