"""Verified mobile numbers in the admin: a read-only list, numbers masked for staff without the
register permission. Numbers change only through SMS verification, never by hand."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from renovation.backoffice.views import ClosedScreensMixin

from .columns import MaskedPhoneColumn
from .models import UserPhone


class UserPhoneViewSet(ClosedScreensMixin, ModelViewSet):
    model = UserPhone
    icon = "mobile-alt"
    menu_label = _("Mobile numbers")
    add_to_admin_menu = False
    url_namespace = "sms_userphone"
    url_prefix = "sms/phones"
    add_view_enabled = False
    edit_view_enabled = False
    inspect_view_enabled = False
    copy_view_enabled = False
    form_fields = ["sms_opt_in"]
    list_display = ["user", MaskedPhoneColumn("number", label=_("mobile number")), "sms_opt_in", "verified_at"]
    search_fields = ["user__username"]


@hooks.register("register_admin_viewset")
def register_user_phone_viewset() -> UserPhoneViewSet:
    return UserPhoneViewSet("sms_userphone")
