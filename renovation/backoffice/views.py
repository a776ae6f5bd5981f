"""Wagtail admin views that write through the domain services and read history from
django-simple-history.

Each app's ``wagtail_hooks.py`` declares its viewsets with these classes; the viewset names the
service to call and the selector that scopes what a user may see.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn, UserColumn
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet

from renovation.changelog.operations import operation_label
from renovation.changelog.selectors import diff_records

Service = Callable[..., models.Model]
Scope = Callable[[Any], models.QuerySet]


class ScopedModelForm(WagtailAdminModelForm):
    """Limits foreign-key choices to what the user may manage (``scoped_choices`` on Meta-less
    subclasses: field name → selector taking the user)."""

    scoped_choices: dict[str, Scope] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, scope in self.scoped_choices.items():
            if name in self.fields and self.for_user is not None:
                self.fields[name].queryset = scope(self.for_user)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form fields it names (or to the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


def posted_data(request: HttpRequest) -> Any:
    """The posted data for a form, even when empty: an empty POST must be told what is missing
    (``request.POST or None`` would show it a blank, unbound form instead)."""
    return request.POST if request.method == "POST" else None


def posted_id(request: HttpRequest, name: str) -> int:
    """A row id from a posted form; anything but a number is a row that does not exist (404, not
    the 500 that a lookup with it would raise)."""
    value = (request.POST.get(name) or "").strip()
    if not value.isdigit():
        raise Http404
    return int(value)


def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    message = str(error) or _("You do not have permission to do this.")
    return TemplateResponse(request, "backoffice/forbidden.html", {"message": message}, status=403)


def answer_forbidden(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The function-view twin of AnswerForbiddenMixin."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            return forbidden(request, error)

    return guarded


class AnswerForbiddenMixin:
    """Answer a refused permission with 403 and the reason, instead of Wagtail's redirect to the
    dashboard: staff see why, and the refusal is visible to monitoring and tests."""

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponse]:
        view = super().as_view(**initkwargs)

        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                response = view(request, *args, **kwargs)
            except PermissionDenied as error:
                return forbidden(request, error)
            return response

        return guarded


class ScopedObjectMixin:
    """Fetches the object from everything, then answers 403 (not 404) outside the user's scope."""

    scope: Scope | None = None

    def get_scoped_object(self, pk: Any) -> models.Model:
        obj = get_object_or_404(self.model, pk=pk)
        if self.scope is not None and not self.scope(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


class ServiceCreateView(AnswerForbiddenMixin, CreateView):
    create_service: Service | None = None

    def save_instance(self) -> models.Model:
        data = {name: self.form.cleaned_data[name] for name in self.form.fields if name in self.form.cleaned_data}
        return self.create_service(actor=self.request.user, data=data)

    def get_success_buttons(self) -> list[Any]:
        # A viewset whose edit screen is closed (ClosedScreensMixin) has no edit URL to offer.
        return super().get_success_buttons() if self.edit_url_name else []

    def form_valid(self, form: forms.BaseForm) -> HttpResponse:
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as error:
            add_service_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class ServiceEditView(AnswerForbiddenMixin, ScopedObjectMixin, EditView):
    update_service: Service | None = None
    service_object_arg = "instance"

    def get_object(self, queryset: Any = None) -> models.Model:
        return self.get_scoped_object(self.object_pk)

    def save_instance(self) -> models.Model:
        data = {name: self.form.cleaned_data[name] for name in self.form.fields if name in self.form.cleaned_data}
        # The form has already copied its values onto self.object; the service gets the row as
        # stored, so its permission checks see where the object is now, not where it would go.
        stored = type(self.object)._default_manager.get(pk=self.object.pk)
        return self.update_service(actor=self.request.user, data=data, **{self.service_object_arg: stored})

    def form_valid(self, form: forms.BaseForm) -> HttpResponse:
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as error:
            add_service_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class ScopedIndexView(AnswerForbiddenMixin, IndexView):
    scope: Scope | None = None

    def get_base_queryset(self) -> models.QuerySet:
        if self.scope is None:
            return super().get_base_queryset()
        return self.scope(self.request.user)


class ScopedInspectView(AnswerForbiddenMixin, ScopedObjectMixin, InspectView):
    def get_object(self, queryset: Any = None) -> models.Model:
        return self.get_scoped_object(self.pk)


class RecordHistoryView(AnswerForbiddenMixin, ScopedObjectMixin, HistoryView):
    """The admin's history tab, read from django-simple-history: who changed what, and when."""

    filterset_class = None
    history_fields: tuple[str, ...] = ()
    verbose_name_plural = _("changes")

    def get_object(self) -> models.Model:
        return self.get_scoped_object(self.pk)

    @cached_property
    def columns(self) -> list[Column]:
        return [
            Column("summary", label=_("Change"), accessor="change_summary"),
            Column(
                "reason", label=_("Operation"), accessor=lambda record: operation_label(record.history_change_reason)
            ),
            UserColumn("history_user", label=_("User"), width="20%"),
            DateColumn("history_date", label=_("Date"), width="15%"),
        ]

    def get_base_queryset(self) -> models.QuerySet:
        return self.object.history.select_related("history_user__wagtail_userprofile").order_by(
            "-history_date", "-history_id"
        )

    def paginate_queryset(self, queryset: models.QuerySet, page_size: int) -> tuple:
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        records = list(object_list)
        if records:
            # One extra query for the row just before this page; the diffs are made in memory.
            older = queryset.filter(history_date__lt=records[-1].history_date).first()
            chronological = list(reversed(records))
            previous_rows = [older, *chronological[:-1]]
            recorded = {field.name for field in queryset.model._meta.fields}
            fields = self.history_fields or tuple(
                field.name
                for field in self.model._meta.concrete_fields
                if field.name != "id" and field.name in recorded
            )
            for previous, record in zip(previous_rows, chronological, strict=True):
                record.change_summary = describe_record(previous, record, fields)
        return paginator, page, records, is_paginated


def describe_record(previous: Any, record: Any, fields: tuple[str, ...]) -> str:
    if record.history_type == "+":
        return str(_("Created"))
    if record.history_type == "-":
        return str(_("Deleted"))
    changes = diff_records(previous, record, fields) if previous is not None else []
    if not changes:
        return str(_("No change to the listed fields"))
    return "; ".join(f"{change.label}: {change.old} → {change.new}" for change in changes)


class GuardedDeleteView(AnswerForbiddenMixin, DeleteView):
    pass


def closed_screen(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """A create or edit screen this back office does not offer: nothing there to reach."""
    raise Http404


class ClosedScreensMixin:
    """Lets a ModelViewSet close its create or edit screen (``add_view_enabled`` /
    ``edit_view_enabled``; Wagtail itself only knows ``inspect_view_enabled``).

    A closed screen keeps its URL name (Wagtail's listings, history and delete screens may
    reverse it) but answers 404 to every method, and no listing, header or search result links
    to it: a save there would write the model without its service."""

    add_view_enabled = True
    edit_view_enabled = True

    def add_screen_open(self) -> bool:
        return bool(self.add_view_enabled)

    def edit_screen_open(self) -> bool:
        return bool(self.edit_view_enabled)

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        if not self.add_screen_open():
            view_kwargs["add_url_name"] = None
            view_kwargs.pop("copy_url_name", None)
        if not self.edit_screen_open():
            view_kwargs["edit_url_name"] = None
        return view_kwargs

    def get_urlpatterns(self) -> list[URLPattern]:
        closed = set()
        if not self.add_screen_open():
            closed |= {"add", "copy"}
        if not self.edit_screen_open():
            closed.add("edit")
        return [
            path(str(pattern.pattern), closed_screen, name=pattern.name) if pattern.name in closed else pattern
            for pattern in super().get_urlpatterns()
        ]

    def register_admin_url_finder(self) -> None:
        # The finder links history, search and reference listings to the edit screen.
        if self.edit_screen_open():
            super().register_admin_url_finder()


class ServiceModelViewSet(ClosedScreensMixin, ModelViewSet):
    """A ModelViewSet whose writes go through services and whose reads are scoped per user.

    A screen whose service is missing is closed: without ``create_service`` there is no create
    screen, without ``update_service`` no edit screen (Wagtail's would save the form itself)."""

    index_view_class = ScopedIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    inspect_view_class = ScopedInspectView
    history_view_class = RecordHistoryView
    delete_view_class = GuardedDeleteView
    inspect_view_enabled = True
    copy_view_enabled = False
    create_service: Service | None = None
    update_service: Service | None = None
    service_object_arg = "instance"
    scope: Scope | None = None
    history_fields: tuple[str, ...] = ()

    def add_screen_open(self) -> bool:
        return super().add_screen_open() and self.create_service is not None

    def edit_screen_open(self) -> bool:
        return super().edit_screen_open() and self.update_service is not None

    def get_index_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_index_view_kwargs(scope=self.scope, **kwargs)

    def get_add_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_add_view_kwargs(create_service=self.create_service, **kwargs)

    def get_edit_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_edit_view_kwargs(
            update_service=self.update_service,
            service_object_arg=self.service_object_arg,
            scope=self.scope,
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_inspect_view_kwargs(scope=self.scope, **kwargs)

    def get_history_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_history_view_kwargs(scope=self.scope, history_fields=self.history_fields, **kwargs)
