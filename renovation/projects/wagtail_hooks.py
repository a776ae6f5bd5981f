from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, Panel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from renovation.accounts.permissions import can_confirm_progress, is_staff_member
from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceCreateView, ServiceEditView, ServiceModelViewSet
from renovation.files.forms import PhotosField
from renovation.places.selectors import neighbourhoods_manageable_by

from . import selectors, services
from .models import PhotoPhase, ProgressPhoto, ProgressReport, ProgressReportStatus, Project, WorkItem

for _model in (Project, WorkItem, ProgressReport, ProgressPhoto):
    register_permission_policy(_model, KeepRecordsPolicy(_model))


def _staff_users(user: Any) -> QuerySet:
    return get_user_model().objects.filter(staff_profile__isnull=False, is_active=True).order_by("username")


class ProjectForm(ScopedModelForm):
    scoped_choices = {"neighbourhood": neighbourhoods_manageable_by, "staff_in_charge": _staff_users}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service derives a name and web address from the neighbourhood when left empty.
        self.fields["name"].required = False
        self.fields["slug"].required = False
        if self.instance.pk:
            # The public page lives at this address; links in the wild must keep working.
            self.fields["slug"].disabled = True


class WorkItemForm(ScopedModelForm):
    scoped_choices = {"project": selectors.projects_manageable_by}


class ProgressReportForm(ScopedModelForm):
    scoped_choices = {"work_item": selectors.work_items_manageable_by}
    # Handed to the service with the rest (progress_report_submit), which checks every photo.
    photo_phase = forms.ChoiceField(
        label=_("The photos show the site"),
        choices=PhotoPhase.choices,
        initial=PhotoPhase.DURING,
        required=False,
        widget=forms.RadioSelect,
    )
    photos = PhotosField(label=_("Photos of the works"), camera=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "photos" in self.fields:  # the help names the limit, in the user's language
            self.fields["photos"].help_text = gettext(
                "Optional, up to %(count)s: JPEG, PNG, WebP or HEIC. They are published on the project "
                "page once the report is confirmed, without location or camera data."
            ) % {"count": settings.PROGRESS_REPORT_MAX_PHOTOS}


class ProjectCreateView(ServiceCreateView):
    def run_after_hook(self) -> Any:
        # The public site (cms) listens for this to create the project's page.
        return self.run_hook("after_create_project", self.request, self.object)


class ProjectViewSet(ServiceModelViewSet):
    model = Project
    icon = "clipboard-list"
    add_view_class = ProjectCreateView
    edit_handler = ObjectList(
        [
            FieldPanel("neighbourhood"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("plan_year"), FieldPanel("status")]),
            FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
            FieldPanel("summary"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("budget_central"), FieldPanel("budget_provincial")]),
                    FieldRowPanel([FieldPanel("budget_city"), FieldPanel("budget_resident")]),
                    FieldPanel("budget_other"),
                ],
                heading=_("Budget by source"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
                    FieldRowPanel([FieldPanel("actual_start"), FieldPanel("actual_end")]),
                ],
                heading=_("Dates"),
            ),
            # The construction units are not typed: they are the companies holding its contracts.
            FieldPanel("supervising_engineer"),
            FieldPanel("staff_in_charge"),
        ],
        base_form_class=ProjectForm,
    )
    list_display = ["name", "code", "plan_year", "neighbourhood", "status", "progress"]
    list_filter = ["plan_year", "status", "neighbourhood__community__street"]
    search_fields = ["name", "code", "neighbourhood__name"]
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    service_object_arg = "project"
    scope = staticmethod(selectors.projects_manageable_by)


class WorkItemViewSet(ServiceModelViewSet):
    model = WorkItem
    icon = "list-ul"
    edit_handler = ObjectList(
        [
            FieldPanel("project"),
            FieldRowPanel([FieldPanel("category"), FieldPanel("sort_order")]),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("quantity"), FieldPanel("unit"), FieldPanel("budget")]),
            FieldPanel("procurement_kind"),
            FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
            FieldRowPanel([FieldPanel("actual_start"), FieldPanel("actual_end")]),
        ],
        base_form_class=WorkItemForm,
    )
    list_display = [
        "description",
        "project",
        "category",
        "budget",
        "progress",
        "status",
        BooleanColumn("must_tender", label=_("must be publicly tendered")),
    ]
    list_filter = ["category", "status", "project__plan_year"]
    search_fields = ["description", "project__name"]
    create_service = staticmethod(services.work_item_create)
    update_service = staticmethod(services.work_item_update)
    service_object_arg = "work_item"
    scope = staticmethod(selectors.work_items_manageable_by)


# --- Progress reports: submitted by street or bureau staff, reviewed by bureau staff ----------


class ReportSummaryPanel(Panel):
    """Read-only facts of the report under review."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "projects/panels/progress_report_summary.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["report"] = self.instance
            # Served through the permission-checked view: the reviewer sees them before the public.
            context["photos"] = list(self.instance.photos.all())
            return context


class ProgressReviewForm(ScopedModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm: the work item takes this progress")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )


def _progress_report_submit(*, actor: Any, data: dict[str, Any]) -> ProgressReport:
    return services.progress_report_submit(actor=actor, **data)


def _progress_report_review(*, actor: Any, report: ProgressReport, data: dict[str, Any]) -> ProgressReport:
    note = data.get("review_note", "")
    if data.get("decision") == "confirm":
        return services.progress_report_confirm(actor=actor, report=report, note=note)
    return services.progress_report_reject(actor=actor, report=report, reason=note)


class ProgressReviewView(ServiceEditView):
    page_title = _("Review progress report")
    submit_button_label = _("Save review")
    success_message = _("Progress report reviewed.")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # Street staff see reports through "Inspect"; only bureau staff review them.
        if request.user.is_authenticated and not can_confirm_progress(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ProgressReportViewSet(ServiceModelViewSet):
    model = ProgressReport
    icon = "tasks"
    edit_view_class = ProgressReviewView
    edit_handler = ObjectList(
        [
            FieldPanel("work_item"),
            FieldRowPanel([FieldPanel("percent"), FieldPanel("reported_on")]),
            FieldPanel("note"),
            MultiFieldPanel([FieldPanel("photo_phase"), FieldPanel("photos")], heading=_("Photos")),
        ],
        base_form_class=ProgressReportForm,
    )
    review_handler = ObjectList(
        [ReportSummaryPanel(heading=_("Report")), FieldPanel("decision"), FieldPanel("review_note")],
        base_form_class=ProgressReviewForm,
    )
    list_display = ["work_item", "percent", "reported_on", "status", "reported_by"]
    list_filter = ["status", "work_item__project__plan_year"]
    search_fields = ["work_item__description", "work_item__project__name"]
    create_service = staticmethod(_progress_report_submit)
    update_service = staticmethod(_progress_report_review)
    service_object_arg = "report"
    scope = staticmethod(selectors.progress_reports_visible_to)

    def get_edit_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        handler = self.review_handler.bind_to_model(ProgressReport)
        return super().get_edit_view_kwargs(**{"panel": handler, "form_class": handler.get_form_class(), **kwargs})


# --- Photos of the works: listed per report's project; editing one means withdrawing it ---------


class PhotoPreviewPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "projects/panels/progress_photo_preview.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["photo"] = self.instance
            return context


class PhotoWithdrawForm(ScopedModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdrawal_reason"].required = True
        self.fields["withdrawal_reason"].help_text = _(
            "The photo leaves the public pages at once; the original stays on record with this reason."
        )


def _progress_photo_withdraw(*, actor: Any, photo: ProgressPhoto, data: dict[str, Any]) -> ProgressPhoto:
    return services.progress_photo_withdraw(actor=actor, photo=photo, reason=data.get("withdrawal_reason", ""))


class ProgressPhotoViewSet(ServiceModelViewSet):
    model = ProgressPhoto
    icon = "image"
    menu_label = _("Photos of the works")
    edit_handler = ObjectList(
        [PhotoPreviewPanel(heading=_("Photo")), FieldPanel("withdrawal_reason")],
        base_form_class=PhotoWithdrawForm,
    )
    list_display = ["__str__", "report", "uploaded_at", BooleanColumn("is_public", label=_("public"))]
    list_filter = ["phase", "report__status"]
    search_fields = ["report__work_item__description", "report__work_item__project__name"]
    update_service = staticmethod(_progress_photo_withdraw)
    service_object_arg = "photo"
    scope = staticmethod(selectors.progress_photos_visible_to)


class ProjectsGroup(ModelViewSetGroup):
    menu_label = _("Renovation")
    menu_icon = "clipboard-list"
    menu_order = 200
    items = (ProjectViewSet, WorkItemViewSet, ProgressReportViewSet, ProgressPhotoViewSet)


@hooks.register("register_admin_viewset")
def register_projects() -> ModelViewSetGroup:
    return ProjectsGroup()


class PendingReportsPanel(Component):
    """Dashboard: progress reports waiting for the bureau's confirmation, oldest first."""

    name = "pending_progress_reports"
    template_name = "projects/panels/pending_reports_panel.html"
    order = 50

    def __init__(self, user: Any) -> None:
        self.user = user

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        reports = selectors.progress_reports_visible_to(self.user).filter(status=ProgressReportStatus.PENDING)
        return {
            "reports": list(reports.order_by("created_at")[:10]),
            "total": reports.count(),
            "can_review": can_confirm_progress(self.user),
        }


@hooks.register("construct_homepage_panels")
def add_pending_reports_panel(request: Any, panels: list) -> None:
    if is_staff_member(request.user):
        panels.append(PendingReportsPanel(request.user))


class LatenessPanel(Component):
    """Dashboard: every lateness warning (逾期、未开工、停滞、预计延期) in the user's scope."""

    name = "lateness_warnings"
    template_name = "projects/panels/lateness_panel.html"
    order = 40

    def __init__(self, user: Any) -> None:
        self.user = user

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {"warnings": selectors.lateness_warnings(self.user, timezone.localdate())}


@hooks.register("construct_homepage_panels")
def add_lateness_panel(request: Any, panels: list) -> None:
    if is_staff_member(request.user):
        panels.append(LatenessPanel(request.user))
