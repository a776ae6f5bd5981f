"""The tendering channel in the back office: tenders (with their step-by-step page), bidders and
the list of procurement kinds. Bids have no admin screen of their own: what may be known of them
shows on the tender's page, and only after the opening time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceModelViewSet
from renovation.projects.selectors import projects_manageable_by, work_items_manageable_by

from . import admin_views, contracts, kinds, redflags, review_views, selectors, services
from .models import Bidder, Contract, ProcurementKind, Tender

for _model in (Tender, Bidder, ProcurementKind, Contract):
    register_permission_policy(_model, KeepRecordsPolicy(_model))


class TenderForm(ScopedModelForm):
    scoped_choices = {"project": projects_manageable_by, "work_items": work_items_manageable_by}


def _tender_create(*, actor: Any, data: dict[str, Any]) -> Tender:
    data = dict(data)
    items = data.pop("work_items", [])
    return services.tender_create(actor=actor, data=data, work_items=items)


def _tender_update(*, actor: Any, data: dict[str, Any], tender: Tender) -> Tender:
    data = dict(data)
    items = data.pop("work_items", [])
    return services.tender_update(actor=actor, tender=tender, data=data, work_items=items)


class TenderViewSet(ServiceModelViewSet):
    model = Tender
    icon = "doc-full"
    menu_label = _("Tenders")
    edit_handler = ObjectList(
        [
            FieldPanel("project"),
            FieldPanel("work_items"),
            FieldRowPanel([FieldPanel("title"), FieldPanel("kind")]),
            FieldPanel("ceiling_price"),
            MultiFieldPanel(
                [FieldPanel("method"), FieldRowPanel([FieldPanel("price_weight"), FieldPanel("technical_weight")])],
                heading=_("Evaluation"),
            ),
            FieldPanel("announcement"),
            FieldRowPanel([FieldPanel("bid_period_start"), FieldPanel("bid_period_end")]),
            FieldRowPanel([FieldPanel("opening_at"), FieldPanel("publicity_days")]),
        ],
        base_form_class=TenderForm,
    )
    list_display = [
        TitleColumn("title", label=_("title"), get_url=lambda tender: reverse("tender_manage", args=[tender.pk])),
        "code",
        Column("phase", label=_("status"), accessor="phase_label"),
        "opening_at",
    ]
    list_filter = ["status", "kind", "project__neighbourhood__community__street"]
    search_fields = ["title", "code", "project__name"]
    create_service = staticmethod(_tender_create)
    update_service = staticmethod(_tender_update)
    service_object_arg = "tender"
    scope = staticmethod(selectors.tenders_for_staff)
    inspect_view_enabled = False


class BidderViewSet(ServiceModelViewSet):
    """Companies register themselves on the public site; staff look them up here."""

    model = Bidder
    icon = "group"
    add_view_enabled = False
    edit_view_enabled = False
    form_fields = ["name"]  # no add or edit view; Wagtail still asks
    list_display = [
        TitleColumn("name", label=_("company name"), get_url=lambda bidder: reverse("bidder_review", args=[bidder.pk])),
        "uscc",
        Column("review_status", label=_("qualification review"), accessor="get_review_status_display"),
        "contact_name",
        "contact_phone",
        "registered_at",
    ]
    list_filter = ["review_status"]
    search_fields = ["name", "uscc"]
    scope = staticmethod(lambda user: Bidder.objects.all() if is_staff_member(user) else Bidder.objects.none())


class DirectContractForm(ScopedModelForm):
    scoped_choices = {"project": projects_manageable_by, "work_items": work_items_manageable_by}


def _direct_contract_create(*, actor: Any, data: dict[str, Any]) -> Contract:
    data = dict(data)
    project, contractor, items = data.pop("project"), data.pop("contractor"), data.pop("work_items", [])
    if project is None or contractor is None:
        raise ValidationError(_("Choose the project and the company that holds the contract."))
    return contracts.contract_direct_record(
        actor=actor, project=project, contractor=contractor, data=data, work_items=items
    )


def _contracts_for_staff(user: Any) -> Any:
    return (
        Contract.objects.filter(project__in=projects_manageable_by(user))
        .select_related("project", "contractor", "award__tender", "award__bidder")
        .order_by("-signed_on", "-pk")
    )


class ContractViewSet(ServiceModelViewSet):
    """Every signed contract, tendered or direct. Tendered ones are recorded on their tender's
    page; works below the must-tender threshold are contracted directly here (直接发包), so that
    the company building them is on record and can be paid on its contract."""

    model = Contract
    icon = "doc-full-inverse"
    menu_label = _("Contracts")
    edit_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("project"),
            FieldPanel("contractor"),
            FieldPanel("work_items"),
            FieldRowPanel([FieldPanel("number"), FieldPanel("amount")]),
            FieldRowPanel([FieldPanel("signed_on"), FieldPanel("start_on"), FieldPanel("end_on")]),
        ],
        base_form_class=DirectContractForm,
    )
    list_display = ["number", "project", "contractor", "amount", "signed_on", "award"]
    list_filter = ["project__neighbourhood__community__street"]
    search_fields = ["number", "contractor__name", "project__name"]
    create_service = staticmethod(_direct_contract_create)
    scope = staticmethod(_contracts_for_staff)
    inspect_view_enabled = False


class ProcurementKindViewSet(ServiceModelViewSet):
    model = ProcurementKind
    icon = "list-ul"
    form_fields = ["code", "name", "must_tender", "category", "sort_order"]
    list_display = ["name", "code", "must_tender", "category", "sort_order"]
    create_service = staticmethod(kinds.procurement_kind_save)
    update_service = staticmethod(kinds.procurement_kind_save)
    service_object_arg = "kind"
    inspect_view_enabled = False


class TenderingGroup(ModelViewSetGroup):
    # Not the project status "Tendering" (招标中): the admin section of tenders and contracts.
    menu_label = pgettext_lazy("admin section", "Tendering")
    menu_icon = "doc-full"
    menu_order = 206
    items = (TenderViewSet, ContractViewSet, BidderViewSet, ProcurementKindViewSet)


@hooks.register("register_admin_viewset")
def register_tendering() -> ModelViewSetGroup:
    return TenderingGroup()


@hooks.register("register_admin_urls")
def register_tender_urls() -> list:
    return [
        path("tenders/<int:pk>/manage/", admin_views.tender_manage, name="tender_manage"),
        path("tenders/<int:pk>/opening-record.xlsx", admin_views.opening_record_export, name="tender_opening_export"),
        path(
            "tenders/<int:pk>/evaluation-table.xlsx",
            admin_views.evaluation_table_export,
            name="tender_evaluation_export",
        ),
        path("tenders/<int:pk>/bids/<int:bid_pk>/proposal/", admin_views.proposal_download, name="tender_proposal"),
        path("bidders/<int:pk>/review/", review_views.bidder_review, name="bidder_review"),
    ]


class TenderTasksPanel(Component):
    """The next step on each of the user's tenders that waits for the street office."""

    name = "tender_tasks"
    template_name = "tendering/admin/tasks_panel.html"
    order = 45

    def __init__(self, user: Any) -> None:
        self.user = user

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {"tasks": selectors.tenders_needing_action(self.user)}


@hooks.register("construct_homepage_panels")
def add_tender_tasks_panel(request: Any, panels: list) -> None:
    if is_staff_member(request.user):
        panels.append(TenderTasksPanel(request.user))


class RedFlagsPanel(Component):
    """Every red flag on the opened tenders of the user's streets (redflags.py)."""

    name = "tender_red_flags"
    template_name = "tendering/admin/red_flags_panel.html"
    order = 46

    def __init__(self, user: Any) -> None:
        self.user = user

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {
            "flags": selectors.red_flags_for_staff(self.user),
            "flag_band": redflags.share_label(settings.TENDER_FLAG_CEILING_BAND),
        }


@hooks.register("construct_homepage_panels")
def add_red_flags_panel(request: Any, panels: list) -> None:
    if is_staff_member(request.user):
        panels.append(RedFlagsPanel(request.user))


@hooks.register("sign_in_landing", order=30)
def bidder_landing(user: Any) -> str | None:
    """A bidding company's accounts start on its bids (renovation/accounts/landing.py)."""
    if Bidder.objects.filter(accounts=user).exists():
        return reverse("tendering:bidder_mine")
    return None
