"""Wagtail's own users and groups screens, wired to the staff-account services.

Bureau staff create street-staff and bureau accounts (with the street), deactivate them with a
reason, and reset passwords; only administrators (superusers) see the administrator flag and the
group checkboxes, and edit groups' permissions. Everything is written by renovation/accounts/services.py,
which re-checks each rule, so a hand-made POST cannot raise anyone's role.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import groups as group_views
from wagtail.users.views import users as user_views

from renovation.backoffice.views import AnswerForbiddenMixin, add_service_errors
from renovation.places.models import Street

from . import services
from .models import StaffProfile, StaffRole
from .permissions import can_manage_account, can_manage_accounts, can_manage_groups, can_view_groups

User = get_user_model()

ROLE_CHOICES = [("", _("No staff role (resident, supervisor, bidder…)")), *StaffRole.choices]


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class StaffAccountPolicy(BasePermissionPolicy):
    """Users screens: bureau staff add, change and view accounts; nobody but an administrator
    deletes one (accounts are deactivated, their history kept) or touches an administrator."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if not _active(user):
            return False
        if user.is_superuser:
            return True
        return action in {"add", "change", "view"} and can_manage_accounts(user)

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        superusers = User.objects.filter(is_active=True, is_superuser=True)
        if not set(actions) & {"add", "change", "view"}:
            return superusers
        bureau = User.objects.filter(is_active=True, staff_profile__role=StaffRole.BUREAU)
        return (superusers | bureau).distinct()

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or can_manage_account(user, instance)

    def instances_user_has_any_permission_for(self, user: Any, actions: Iterable[str]) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return User.objects.none()
        return User.objects.all() if user.is_superuser else User.objects.filter(is_superuser=False)


class GroupPolicy(BasePermissionPolicy):
    """Groups carry the role permissions defined in code: bureau staff may look, administrators edit."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if can_manage_groups(user):
            return True
        return action == "view" and can_view_groups(user)

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        superusers = User.objects.filter(is_active=True, is_superuser=True)
        if "view" not in set(actions):
            return superusers
        bureau = User.objects.filter(is_active=True, staff_profile__role=StaffRole.BUREAU)
        return (superusers | bureau).distinct()


class StaffAccountFormMixin(forms.Form):
    role = forms.ChoiceField(label=_("Staff role"), choices=ROLE_CHOICES, required=False)
    street = forms.ModelChoiceField(
        label=_("Street"),
        queryset=Street.objects.order_by("name"),
        required=False,
        help_text=_("Required for street office staff: they see and edit only this street."),
    )

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["last_name"].required = False
        self.fields["first_name"].label = _("Name")
        self.fields["last_name"].label = _("Surname (optional)")
        if actor is None or not actor.is_superuser:
            # Only an administrator makes administrators or hand-picks groups.
            self.fields.pop("is_superuser", None)
            self.fields.pop("groups", None)
        profile = StaffProfile.objects.filter(user_id=self.instance.pk).first() if self.instance.pk else None
        if profile is not None:
            self.initial.setdefault("role", profile.role)
            self.initial.setdefault("street", profile.street_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("role") == StaffRole.STREET and not cleaned.get("street"):
            self.add_error("street", _("Street office staff must belong to a street."))
        return cleaned

    def save(self, commit: bool = True) -> Any:  # pragma: no cover - the views call the services
        raise NotImplementedError("Staff accounts are saved by renovation.accounts.services.")


class StaffUserCreationForm(StaffAccountFormMixin, UserCreationForm):
    pass


class StaffUserEditForm(StaffAccountFormMixin, UserEditForm):
    reason = forms.CharField(
        label=_("Reason for deactivating"),
        required=False,
        max_length=80,
        help_text=_("Needed when you deactivate the account; kept in its history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "is_active" in self.fields:
            self.fields["is_active"].help_text = _(
                "Untick to deactivate: the person can no longer sign in and every session they have ends."
            )


class ServiceFormViewMixin(AnswerForbiddenMixin):
    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def form_valid(self, form: forms.BaseForm) -> HttpResponse:
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as error:
            add_service_errors(form, error)
            self.produced_error_message = self.get_error_message() if hasattr(self, "get_error_message") else None
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


def _changed(form: forms.BaseForm, names: Iterable[str]) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in names if name in form.fields}


class StaffUserCreateView(ServiceFormViewMixin, user_views.CreateView):
    template_name = "accounts/admin/user_create.html"

    def save_instance(self) -> Any:
        data = self.form.cleaned_data
        user = services.staff_account_create(
            actor=self.request.user,
            username=data[User.USERNAME_FIELD],
            email=data.get("email") or "",
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            password=data.get("password1") or "",
            role=data.get("role") or "",
            street=data.get("street"),
        )
        if self.request.user.is_superuser and ("is_superuser" in data or "groups" in data):
            services.staff_account_update(
                actor=self.request.user, user=user, data=_changed(self.form, ["is_superuser", "groups"])
            )
        log(user, "wagtail.create", user=self.request.user)
        return user


class StaffUserEditView(ServiceFormViewMixin, user_views.EditView):
    template_name = "accounts/admin/user_edit.html"

    def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.can_delete = self.can_delete and request.user.is_superuser

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not StaffAccountPolicy(User).user_has_permission_for_instance(request.user, "change", self.object):
            raise PermissionDenied(_("Only an administrator can change an administrator's account."))
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self) -> Any:
        # The bound form has already copied its values onto self.object: the service compares
        # against the stored account instead.
        stored = User.objects.get(pk=self.object.pk)
        names = [User.USERNAME_FIELD, "email", "first_name", "last_name", "is_active", "role", "street", "reason"]
        if self.request.user.is_superuser:
            names += ["is_superuser", "groups"]
        data = _changed(self.form, names)
        if "role" in data:
            data["role"] = data["role"] or ""
        if self.form.cleaned_data.get("password1"):
            data["password"] = self.form.cleaned_data["password1"]
        user = services.staff_account_update(actor=self.request.user, user=stored, data=data, request=self.request)
        log(user, "wagtail.edit", user=self.request.user)
        return user


class StaffUserIndexView(AnswerForbiddenMixin, user_views.IndexView):
    pass


class StaffUserDeleteView(AnswerForbiddenMixin, user_views.DeleteView):
    pass


class StaffUserViewSet(user_views.UserViewSet):
    # Our forms' templates (with the staff role and street), in place of wagtailusers/users/*.html.
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"
    index_view_class = StaffUserIndexView
    add_view_class = StaffUserCreateView
    edit_view_class = StaffUserEditView
    delete_view_class = StaffUserDeleteView

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return StaffUserEditForm if for_update else StaffUserCreationForm

    def get_urlpatterns(self) -> list[Any]:
        from django.urls import path

        # /admin/users/add/ and /admin/users/<id>/ are the addresses people type (and older
        # Wagtail used): send them to Wagtail 8's /new/ and /edit/<id>/.
        return [
            *super().get_urlpatterns(),
            path("add/", lambda request: redirect(self.get_url_name("add")), name="add_alias"),
            path("<int:pk>/", lambda request, pk: redirect(self.get_url_name("edit"), pk), name="edit_alias"),
        ]


class GroupIndexView(AnswerForbiddenMixin, group_views.IndexView):
    pass


class GroupCreateView(AnswerForbiddenMixin, group_views.CreateView):
    pass


class GroupEditView(AnswerForbiddenMixin, group_views.EditView):
    pass


class StaffGroupViewSet(group_views.GroupViewSet):
    index_view_class = GroupIndexView
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView

    def get_urlpatterns(self) -> list[Any]:
        from django.urls import path

        return [
            *super().get_urlpatterns(),
            path("add/", lambda request: redirect(self.get_url_name("add")), name="add_alias"),
        ]


def register_policies() -> None:
    from wagtail.permissions import register_permission_policy

    register_permission_policy(User, StaffAccountPolicy(User))
    register_permission_policy(Group, GroupPolicy(Group))
