"""Consultation in the admin: the household register (street-scoped), its import, and the desk."""

from typing import Any

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.permissions import register_permission_policy

from renovation.backoffice.menu import StaffMenuItem
from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceModelViewSet, answer_forbidden
from renovation.places.selectors import neighbourhoods_manageable_by
from renovation.sms.columns import MaskedPhoneColumn

from . import desk_views, letters, register_views, selectors, services
from .desk_screens import TASKS
from .models import Household, Intent

register_permission_policy(Household, KeepRecordsPolicy(Household))


register_permission_policy(Intent, KeepRecordsPolicy(Intent))


class HouseholdForm(ScopedModelForm):
    scoped_choices = {"neighbourhood": neighbourhoods_manageable_by}
    resident_username = forms.CharField(
        label=_("Linked resident account"),
        max_length=150,
        required=False,
        help_text=_("After checking who the person is: their account may then answer for this household."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.resident_id:
            self.fields["resident_username"].initial = self.instance.resident.get_username()


class HouseholdViewSet(ServiceModelViewSet):
    model = Household
    icon = "home"
    menu_label = _("Household register")
    add_to_admin_menu = False
    url_namespace = "consultation_household"
    url_prefix = "consultation/households"
    edit_handler = ObjectList(
        [
            FieldPanel("neighbourhood"),
            FieldRowPanel([FieldPanel("building"), FieldPanel("unit"), FieldPanel("room")]),
            FieldPanel("floor_area"),
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("phone")]),
            FieldPanel("resident_username"),
        ],
        base_form_class=HouseholdForm,
    )
    # Numbers masked (138****1234) for staff without the register permission.
    list_display = [
        "__str__",
        "neighbourhood",
        "contact_name",
        MaskedPhoneColumn("phone", label=_("phone")),
        "resident",
    ]
    list_filter = ["neighbourhood__community__street", "neighbourhood"]
    search_fields = ["building", "room", "contact_name", "phone"]
    create_service = staticmethod(services.household_create)
    update_service = staticmethod(services.household_update)
    service_object_arg = "household"
    scope = staticmethod(selectors.households_manageable_by)


def _intent_correct(*, actor: Any, intent: Intent, data: dict[str, Any]) -> Intent:
    """Correcting an answer is recording it again: same rules, and the history keeps the old."""
    return services.intent_record(
        actor=actor,
        project=intent.project,
        household=intent.household,
        choice=data["choice"],
        channel=data["channel"],
        responded_on=data["responded_on"],
    )


class IntentViewSet(ServiceModelViewSet):
    """Who has answered and how, per project: to follow up the households still to be asked."""

    model = Intent
    icon = "tick"
    menu_label = _("Intents")
    add_to_admin_menu = False
    url_namespace = "consultation_intent"
    url_prefix = "consultation/intents"
    add_view_enabled = False  # new answers are entered on the desk, household by household
    form_fields = ["choice", "channel", "responded_on"]
    list_display = ["household", "project", "choice", "channel", "responded_on", "recorded_by"]
    list_filter = ["project", "choice", "channel"]
    search_fields = ["household__building", "household__room"]
    scope = staticmethod(selectors.intents_manageable_by)
    update_service = staticmethod(_intent_correct)
    service_object_arg = "intent"


household_viewset = HouseholdViewSet("consultation_household")
intent_viewset = IntentViewSet("consultation_intent")


@hooks.register("register_admin_viewset")
def register_household_viewset() -> HouseholdViewSet:
    return household_viewset


@hooks.register("register_admin_viewset")
def register_intent_viewset() -> IntentViewSet:
    return intent_viewset


@hooks.register("register_admin_urls")
def consultation_urls() -> list:
    guard = answer_forbidden
    return [
        path("consultation/", guard(desk_views.index), name="consultation_index"),
        path("consultation/<int:project_id>/", guard(desk_views.desk), name="consultation_desk"),
        *[
            path(
                f"consultation/<int:project_id>/{task.key}/", guard(desk_views.desk), {"task": task.key}, task.url_name
            )
            for task in TASKS
            if task.key != "overview"
        ],
        path(
            "consultation/<int:project_id>/satisfaction.xlsx",
            guard(desk_views.satisfaction_export),
            name="consultation_satisfaction",
        ),
        path(
            "consultation/satisfaction.xlsx",
            guard(desk_views.satisfaction_export),
            name="consultation_satisfaction_all",
        ),
        path("consultation/letters/", guard(letters.letters), name="consultation_letters"),
        path("consultation/import/", guard(register_views.upload), name="consultation_register_import"),
        path(
            "consultation/import/template.xlsx",
            guard(register_views.template_download),
            name="consultation_register_template",
        ),
        path("consultation/import/<int:pk>/", guard(register_views.detail), name="consultation_register_import_detail"),
        path(
            "consultation/import/<int:pk>/errors.xlsx",
            guard(register_views.annotated_download),
            name="consultation_register_import_annotated",
        ),
    ]


@hooks.register("register_admin_menu_item")
def consultation_menu_item() -> MenuItem:
    return StaffMenuItem(_("Consultation"), reverse("consultation_index"), icon_name="group", order=215)


@hooks.register("sign_in_landing", order=40)
def resident_landing(user: Any) -> str | None:
    """A resident starts on their household's consultation page (renovation/accounts/landing.py)."""
    projects = list(selectors.resident_projects(user)[:2])
    if len(projects) == 1:
        return reverse("consultation:household", args=[projects[0].pk])
    if projects or Household.objects.filter(resident=user).exists():
        return reverse("consultation:mine")
    return None
