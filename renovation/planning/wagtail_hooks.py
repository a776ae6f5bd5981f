from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from renovation.accounts.permissions import is_bureau
from renovation.backoffice.views import answer_forbidden

from . import views


@hooks.register("register_admin_urls")
def plan_import_urls() -> list:
    return [
        path("plan-import/", answer_forbidden(views.upload), name="plan_import"),
        path("plan-import/template.xlsx", answer_forbidden(views.template_download), name="plan_import_template"),
        path("plan-import/<int:pk>/", answer_forbidden(views.detail), name="plan_import_detail"),
        path("plan-import/<int:pk>/status/", answer_forbidden(views.status), name="plan_import_status"),
        path(
            "plan-import/<int:pk>/errors.xlsx", answer_forbidden(views.annotated_download), name="plan_import_annotated"
        ),
    ]


class BureauMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return is_bureau(request.user)


@hooks.register("register_admin_menu_item")
def plan_import_menu_item() -> MenuItem:
    return BureauMenuItem(_("Import annual plan"), reverse("plan_import"), icon_name="upload", order=240)
