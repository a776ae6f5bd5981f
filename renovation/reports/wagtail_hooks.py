"""The admin's "Reports" (报表) item: a page of spreadsheet exports for bureau and street staff."""

from django.urls import include, path, reverse
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from renovation.backoffice.menu import StaffMenuItem

from . import urls


@hooks.register("register_admin_urls")
def register_report_urls() -> list:
    # Not /admin/reports/: Wagtail's own reports (locked pages, site history) live there.
    return [path("exports/", include(urls))]


@hooks.register("register_admin_menu_item")
def register_reports_menu_item() -> MenuItem:
    return StaffMenuItem(
        pgettext_lazy("exports", "Reports"),
        reverse("renovation_reports:index"),
        name="renovation-reports",
        icon_name="table",
        order=210,
    )
