from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceEditView, ServiceModelViewSet

from . import services
from .models import Comment
from .permissions import can_moderate
from .selectors import flagged_first

register_permission_policy(Comment, KeepRecordsPolicy(Comment))


def comments_moderated_by(user: Any) -> QuerySet[Comment]:
    """Comments in the threads the user moderates, flagged ones first."""
    queryset = Comment.objects.select_related("author", "thread__project", "thread__site_issue")
    if not is_bureau(user):
        street = staff_street_id(user)
        queryset = queryset.filter(
            Q(thread__project__neighbourhood__community__street_id=street)
            | Q(thread__site_issue__project__neighbourhood__community__street_id=street)
        )
    return flagged_first(queryset)


class CommentSummaryPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "discussion/panels/comment_summary.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["comment"] = self.instance
            context["flags"] = list(self.instance.flags.select_related("user"))
            return context


class ModerationForm(ScopedModelForm):
    decision = forms.ChoiceField(
        label=_("Moderation"),
        choices=[("hide", _("Hide, showing the reason in its place")), ("show", _("Show the comment"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason (shown to readers)"), max_length=200, required=False)

    class Meta:
        fields: list[str] = []


def _moderate(*, actor: Any, comment: Comment, data: dict[str, Any]) -> Comment:
    if data.get("decision") == "hide":
        return services.comment_hide(actor=actor, comment=comment, reason=data.get("reason", ""))
    if comment.hidden:
        return services.comment_unhide(actor=actor, comment=comment)
    return comment


class ModerationView(ServiceEditView):
    page_title = _("Moderate comment")
    submit_button_label = _("Save")
    success_message = _("Moderation saved; readers see the change at once.")

    def get_object(self, queryset: Any = None) -> Comment:
        comment = super().get_object(queryset)
        if not can_moderate(self.request.user, comment.thread):
            raise PermissionDenied
        return comment


class CommentViewSet(ServiceModelViewSet):
    model = Comment
    icon = "comment"
    menu_label = _("Comments")
    menu_order = 230
    add_to_admin_menu = True
    add_view_enabled = False
    edit_view_class = ModerationView
    edit_handler = ObjectList(
        [CommentSummaryPanel(heading=_("Comment")), FieldPanel("decision"), FieldPanel("reason")],
        base_form_class=ModerationForm,
    )
    list_display = [
        "__str__",
        "author",
        Column("flags", label=pgettext_lazy("reported comment", "Reports"), accessor="flag_count"),
        "hidden",
        "created_at",
    ]
    list_filter = ["hidden"]
    search_fields = ["text"]
    update_service = staticmethod(_moderate)
    service_object_arg = "comment"
    scope = staticmethod(comments_moderated_by)


@hooks.register("register_admin_viewset")
def register_comments() -> CommentViewSet:
    return CommentViewSet()
