"""Admin furniture that is the bureau's, not Wagtail's (issue 15): no links to Wagtail's English guides."""

from __future__ import annotations

from typing import Any

from wagtail import hooks


@hooks.register("construct_help_menu")
def help_menu_without_wagtail_guides(request: Any, menu_items: list[Any]) -> None:
    # The editor guide and "what's new" lead to an English site outside the bureau's network.
    menu_items[:] = [
        item for item in menu_items if item.name != "editor-guide" and not item.name.startswith("whats-new-in-wagtail")
    ]
