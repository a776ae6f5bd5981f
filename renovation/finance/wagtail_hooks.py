"""The finance back office: ledger entries (list, record, edit while undisclosed, history) and the
per-project pages for corrections, statement imports and publishing a quarter."""

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from renovation.backoffice.menu import StaffMenuItem
from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceCreateView, ServiceModelViewSet, answer_forbidden
from renovation.projects.selectors import projects_manageable_by

from . import selectors, services, views
from .models import LedgerEntry, QuarterlyDisclosure

for _model in (LedgerEntry, QuarterlyDisclosure):
    register_permission_policy(_model, KeepRecordsPolicy(_model))


def _contracts(user: Any) -> QuerySet:
    return selectors.contracts_of(projects_manageable_by(user)).order_by("project__code", "number")


class LedgerEntryForm(ScopedModelForm):
    scoped_choices = {"project": projects_manageable_by, "contract": _contracts}


class LedgerEntryCreateView(ServiceCreateView):
    def get_initial(self) -> dict[str, Any]:
        # "Record an entry" on a project's finance page comes with the project chosen.
        initial = super().get_initial()
        if self.request.GET.get("project", "").isdigit():
            initial["project"] = int(self.request.GET["project"])
        return initial

    def get_success_url(self) -> str:
        return reverse("finance_project", args=[self.object.project_id])


class LedgerEntryViewSet(ServiceModelViewSet):
    model = LedgerEntry
    name = "ledger"  # /admin/ledger/
    icon = "table"
    add_view_class = LedgerEntryCreateView
    edit_handler = ObjectList(
        [
            FieldPanel("project"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("source"), FieldPanel("amount")]),
            FieldRowPanel([FieldPanel("booked_on"), FieldPanel("bank_reference"), FieldPanel("invoice_number")]),
            FieldPanel("counterparty"),
            FieldPanel("purpose"),
            FieldPanel("contract"),
        ],
        base_form_class=LedgerEntryForm,
    )
    list_display = ["booked_on", "project", "kind", "source", "amount", "counterparty", "bank_reference"]
    list_filter = ["kind", "source", "project__neighbourhood__community__street", "project__plan_year"]
    search_fields = ["counterparty", "purpose", "bank_reference", "invoice_number", "project__name", "project__code"]
    create_service = staticmethod(services.ledger_entry_record)
    update_service = staticmethod(services.ledger_entry_update)
    service_object_arg = "entry"
    scope = staticmethod(selectors.ledger_entries_manageable_by)


class FinanceGroup(ModelViewSetGroup):
    menu_label = _("Finance")
    menu_icon = "table"
    menu_order = 207
    items = (LedgerEntryViewSet,)

    def get_submenu_items(self) -> list:
        return [
            StaffMenuItem(_("Project finance"), reverse("finance_projects"), icon_name="folder-open-inverse", order=0),
            *super().get_submenu_items(),
        ]


@hooks.register("register_admin_viewset")
def register_finance() -> ModelViewSetGroup:
    return FinanceGroup()


@hooks.register("register_admin_urls")
def finance_urls() -> list:
    return [
        path("finance/", answer_forbidden(views.project_list), name="finance_projects"),
        path("finance/projects/<int:pk>/", answer_forbidden(views.project_finance), name="finance_project"),
        path(
            "finance/projects/<int:pk>/publish/",
            answer_forbidden(views.disclosure_publish),
            name="finance_disclosure_publish",
        ),
        path(
            "finance/projects/<int:pk>/statement/",
            answer_forbidden(views.statement_import),
            name="finance_statement_import",
        ),
        path(
            "finance/statement-imports/<int:pk>/",
            answer_forbidden(views.statement_import_detail),
            name="finance_statement_import_detail",
        ),
        path(
            "finance/statement-imports/<int:pk>/errors.xlsx",
            answer_forbidden(views.statement_import_annotated),
            name="finance_statement_import_annotated",
        ),
        path(
            "finance/statement-template.xlsx",
            answer_forbidden(views.template_download),
            name="finance_statement_template",
        ),
        path("finance/entries/<int:pk>/correct/", answer_forbidden(views.entry_correct), name="finance_entry_correct"),
    ]
