from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, Panel
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceEditView, ServiceModelViewSet
from renovation.places.selectors import neighbourhoods_manageable_by
from renovation.projects.selectors import projects_manageable_by

from . import selectors, services
from .models import ConstructionUnit, SiteIssue, Supervisor
from .permissions import can_review_issue

for _model in (Supervisor, ConstructionUnit, SiteIssue):
    register_permission_policy(_model, KeepRecordsPolicy(_model))


# --- supervisors ---------------------------------------------------------------------------


class SupervisorForm(ScopedModelForm):
    scoped_choices = {"home_neighbourhood": neighbourhoods_manageable_by, "projects": projects_manageable_by}
    username = forms.CharField(label=_("Account name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail for notifications"), required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Required for a new account; leave empty to keep the current password."),
    )

    class Meta:
        widgets = {"projects": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            user = self.instance.user
            self.fields["username"].initial = user.username
            self.fields["username"].disabled = True
            self.fields["full_name"].initial = user.first_name
            self.fields["email"].initial = user.email


class SupervisorViewSet(ServiceModelViewSet):
    model = Supervisor
    icon = "user"
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("username"), FieldPanel("full_name")]),
                    FieldPanel("email"),
                    FieldPanel("password"),
                ],
                heading=_("Account"),
            ),
            FieldPanel("home_neighbourhood"),
            FieldPanel("appointed_by"),
            FieldRowPanel([FieldPanel("term_start"), FieldPanel("term_end")]),
            FieldPanel("show_name_publicly"),
            FieldPanel("projects"),
        ],
        base_form_class=SupervisorForm,
    )
    list_display = ["__str__", "home_neighbourhood", "appointed_by", "term_end"]
    list_filter = ["home_neighbourhood__community__street", "appointed_by"]
    search_fields = ["user__first_name", "user__username", "appointed_by"]
    create_service = staticmethod(services.supervisor_appoint)
    update_service = staticmethod(services.supervisor_update)
    service_object_arg = "supervisor"

    def get_queryset(self, request: Any) -> Any:
        return Supervisor.objects.select_related("user", "home_neighbourhood")


# --- construction units --------------------------------------------------------------------


class ConstructionUnitForm(ScopedModelForm):
    new_member_username = forms.CharField(label=_("Account name"), max_length=150, required=False)
    new_member_full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    new_member_email = forms.EmailField(label=_("E-mail for notifications"), required=False)
    new_member_password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Members are the unit's own accounts, never staff.
        self.fields["members"].queryset = self.fields["members"].queryset.filter(
            staff_profile__isnull=True, is_superuser=False
        )


class ConstructionUnitViewSet(ServiceModelViewSet):
    model = ConstructionUnit
    icon = "cogs"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("contact_phone")]),
            # The projects it builds follow from its company's contracts; nothing to tick here.
            FieldPanel("company"),
            FieldPanel("members"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("new_member_username"), FieldPanel("new_member_full_name")]),
                    FieldRowPanel([FieldPanel("new_member_email"), FieldPanel("new_member_password")]),
                ],
                heading=_("Add a new account for this unit"),
            ),
        ],
        base_form_class=ConstructionUnitForm,
    )
    list_display = ["name", "contact_phone"]
    search_fields = ["name"]
    create_service = staticmethod(services.construction_unit_create)
    update_service = staticmethod(services.construction_unit_update)
    service_object_arg = "unit"


# --- site issues ---------------------------------------------------------------------------


class IssueSummaryPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "supervision/panels/issue_summary.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["issue"] = self.instance
            context["photos"] = list(self.instance.photos.all())
            return context


class IssueReviewForm(ScopedModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept for rectification")), ("reject", _("Do not accept"))],
        widget=forms.RadioSelect,
    )
    deadline = forms.DateTimeField(
        label=_("Rectify by"),
        required=False,
        help_text=_("Leave empty for the default: safety 24 hours, quality 72 hours, others 7 days."),
    )
    note = forms.CharField(
        label=_("Note (required when not accepting)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        fields: list[str] = []


def _site_issue_review(*, actor: Any, issue: SiteIssue, data: dict[str, Any]) -> SiteIssue:
    if data.get("decision") == "accept":
        return services.site_issue_accept(
            actor=actor, issue=issue, deadline=data.get("deadline"), note=data.get("note", "")
        )
    return services.site_issue_reject(actor=actor, issue=issue, reason=data.get("note", ""))


class SiteIssueReviewView(ServiceEditView):
    page_title = _("Review site issue")
    submit_button_label = _("Save decision")
    success_message = _("Decision saved; the people concerned have been notified.")

    def get_object(self, queryset: Any = None) -> SiteIssue:
        issue = super().get_object(queryset)
        if not can_review_issue(self.request.user, issue):
            raise PermissionDenied
        return issue


class SiteIssueViewSet(ServiceModelViewSet):
    model = SiteIssue
    icon = "warning"
    add_view_enabled = False
    edit_view_class = SiteIssueReviewView
    edit_handler = ObjectList(
        [IssueSummaryPanel(heading=_("Issue")), FieldPanel("decision"), FieldPanel("deadline"), FieldPanel("note")],
        base_form_class=IssueReviewForm,
    )
    list_display = ["__str__", "status", "severity", "deadline", "created_at"]
    list_filter = ["status", "category", "severity", "project__neighbourhood__community__street"]
    search_fields = ["description", "location", "project__name"]
    update_service = staticmethod(_site_issue_review)
    service_object_arg = "issue"
    scope = staticmethod(lambda user: selectors.overdue_first(selectors.issues_visible_to(user)))


class SupervisionGroup(ModelViewSetGroup):
    menu_label = _("Supervision")
    menu_icon = "view"
    menu_order = 205
    items = (SiteIssueViewSet, SupervisorViewSet, ConstructionUnitViewSet)


@hooks.register("register_admin_viewset")
def register_supervision() -> ModelViewSetGroup:
    return SupervisionGroup()


# --- dashboard -----------------------------------------------------------------------------


class OpenIssuesPanel(Component):
    """Open issues in the user's scope, overdue first, and how fast issues were handled lately."""

    name = "open_site_issues"
    template_name = "supervision/panels/open_issues_panel.html"
    order = 40

    def __init__(self, user: Any) -> None:
        self.user = user

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        open_issues = selectors.overdue_first(selectors.open_issues_visible_to(self.user))
        return {
            "issues": list(open_issues[:15]),
            "by_project": selectors.open_issues_by_project(self.user),
            "figures": selectors.recent_response_figures(self.user, days=30),
        }


@hooks.register("construct_homepage_panels")
def add_open_issues_panel(request: Any, panels: list) -> None:
    if is_staff_member(request.user):
        panels.append(OpenIssuesPanel(request.user))


@hooks.register("sign_in_landing", order=20)
def supervision_landing(user: Any) -> str | None:
    """Supervisors and construction-unit members start on 我的监督 (renovation/accounts/landing.py)."""
    from .permissions import is_construction_member, supervisor_of

    if supervisor_of(user) is not None or is_construction_member(user):
        return reverse("supervision:home")
    return None
