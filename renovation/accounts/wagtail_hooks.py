"""Back-office screens of accounts: sign-in locks (the users and groups screens are Wagtail's own,
configured in renovation/accounts/admin_users.py)."""

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import lock_views
from .permissions import can_lift_login_locks

_urls = ([path("", lock_views.login_locks, name="login_locks")], "accounts_admin")


@hooks.register("register_admin_urls")
def register_lock_urls() -> list:
    return [path("sign-in-locks/", include(_urls))]


class LockMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return can_lift_login_locks(request.user)


@hooks.register("register_settings_menu_item")
def register_lock_menu_item() -> MenuItem:
    return LockMenuItem(
        _("Sign-in locks"), reverse("accounts_admin:login_locks"), name="sign-in-locks", icon_name="lock", order=610
    )
