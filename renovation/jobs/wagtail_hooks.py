from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from renovation.accounts.permissions import is_bureau
from renovation.backoffice.views import answer_forbidden

from . import views


@hooks.register("register_admin_urls")
def jobs_urls() -> list:
    return [
        path("jobs/", answer_forbidden(views.failed), name="jobs_failed"),
        path("jobs/<uuid:job_id>/retry/", answer_forbidden(views.retry), name="jobs_retry"),
    ]


class BureauMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return is_bureau(request.user)


@hooks.register("register_admin_menu_item")
def jobs_menu_item() -> MenuItem:
    return BureauMenuItem(_("Background jobs"), reverse("jobs_failed"), icon_name="cogs", order=900)
