from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from renovation.backoffice.menu import StaffMenuItem

from . import views


@hooks.register("register_admin_urls")
def evaluation_urls() -> list:
    return [path("streets/", views.streets_admin, name="evaluation_streets")]


@hooks.register("register_admin_menu_item")
def evaluation_menu_item() -> MenuItem:
    return StaffMenuItem(_("Street league table"), reverse("evaluation_streets"), icon_name="list-ol", order=260)
