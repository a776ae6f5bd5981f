from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """Residents' own account pages: joining with a household code, signing in and resetting the
    password by SMS, what the site holds about me, closing my account. No models of its own."""

    name = "renovation.residents"
    label = "residents"
    verbose_name = _("Resident accounts")
