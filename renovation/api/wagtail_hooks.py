"""Back-office screen of the open-data API: its keys (Settings → API keys)."""

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from renovation.accounts.permissions import is_bureau

from . import admin_views

_urls = (
    [
        path("", admin_views.api_keys, name="keys"),
        path("revoke/", admin_views.api_key_revoke, name="revoke"),
    ],
    "api_admin",
)


@hooks.register("register_admin_urls")
def register_api_key_urls() -> list:
    return [path("api-keys/", include(_urls))]


class ApiKeyMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return is_bureau(request.user)


@hooks.register("register_settings_menu_item")
def register_api_key_menu_item() -> MenuItem:
    return ApiKeyMenuItem(_("API keys"), reverse("api_admin:keys"), name="api-keys", icon_name="key", order=620)
