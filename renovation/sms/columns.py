"""Mobile numbers in admin lists: masked (138****1234) for staff without the register permission."""

from __future__ import annotations

from typing import Any

from wagtail.admin.ui.tables import Column

from .message import mask_number

# Keeping the household register (its contact details included) is the register permission.
REGISTER_PERMISSION = "consultation.change_household"


def can_see_numbers(user: Any) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(REGISTER_PERMISSION))


class MaskedPhoneColumn(Column):
    def get_cell_context_data(self, instance: Any, parent_context: Any) -> dict[str, Any]:
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        raw = context.get("raw_value")
        if raw and not can_see_numbers(getattr(request, "user", None)):
            context["value"] = mask_number(raw)
        return context
