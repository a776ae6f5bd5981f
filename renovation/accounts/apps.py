from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "renovation.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from . import services

        # Role groups carry model permissions, which only exist after every app has migrated;
        # keeping them in sync here means a fresh `migrate` yields a usable back office.
        post_migrate.connect(services.roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
