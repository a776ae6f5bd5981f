from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    # This module also holds Wagtail's users app config below: name the default explicitly.
    default = True
    name = "renovation.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from . import services

        # Role groups carry model permissions, which only exist after every app has migrated;
        # keeping them in sync here means a fresh `migrate` yields a usable back office.
        post_migrate.connect(services.roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
        # Every way of signing in (password, admin, SMS code) ends in django.contrib.auth.login,
        # whose signal is the one place that sees them all: remember the session for this user.
        user_logged_in.connect(_record_session, dispatch_uid="accounts.record_session")


def _record_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .services import session_record

    session = getattr(request, "session", None)
    session_record(user=user, session_key=session.session_key if session is not None else None)


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app (label ``wagtailusers``) with the staff-account screens and policies."""

    default = False
    user_viewset = "renovation.accounts.admin_users.StaffUserViewSet"
    group_viewset = "renovation.accounts.admin_users.StaffGroupViewSet"

    def ready(self) -> None:
        super().ready()
        from .admin_users import register_policies

        register_policies()
