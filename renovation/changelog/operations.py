"""Readable names for the operations that services record as history change reasons."""

from django.utils.translation import gettext_lazy as _

OPERATION_LABELS = {
    "street_create": _("Street created"),
    "street_update": _("Street edited"),
    "community_create": _("Community created"),
    "community_update": _("Community edited"),
    "neighbourhood_create": _("Neighbourhood created"),
    "neighbourhood_update": _("Neighbourhood edited"),
    "project_create": _("Project created"),
    "project_update": _("Project edited"),
    "project_status_change": _("Project status changed"),
    "work_item_create": _("Work item added"),
    "work_item_update": _("Work item edited"),
    "progress_report_submit": _("Progress reported"),
    "progress_report_confirm": _("Progress confirmed"),
    "progress_report_reject": _("Progress report rejected"),
    "progress_photo_attach": _("Photo of the works attached"),
    "progress_photo_withdraw": _("Photo of the works withdrawn"),
    "ledger_entry_record": _("Ledger entry recorded"),
    "ledger_entry_update": _("Ledger entry edited"),
    "ledger_entry_correct": _("Ledger entry corrected"),
    "ledger_entry_import": _("Ledger entry imported from a bank statement"),
    "disclosure_publish": _("Quarter disclosed"),
}


def operation_label(reason: str | None) -> str:
    if not reason:
        return ""
    return str(OPERATION_LABELS.get(reason, reason))
