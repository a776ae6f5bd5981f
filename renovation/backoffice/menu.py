"""Admin menu items for staff screens that are not model viewsets (reports, finance, consultation)."""

from __future__ import annotations

from typing import Any

from wagtail.admin.menu import MenuItem

from renovation.accounts.permissions import is_staff_member


class StaffMenuItem(MenuItem):
    """Shown to bureau and street staff only; the views behind it check again."""

    def is_shown(self, request: Any) -> bool:
        return is_staff_member(request.user)
