"""A signed-in user's notifications (paged, unread first to see, marked read one by one or all)
and the follow switch of project and street pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renovation.accounts.landing import safe_next_url

from . import selectors
from .forms import FollowForm
from .services import follow_start, follow_stop, notifications_mark_read

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notifications_of(request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "unread_only": unread_only,
        "filter_query": "show=unread" if unread_only else "",
        "follows": selectors.follows_of(request.user),
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted notifications read (all of them when none is named), then go on to
    ``next``: the notification's own link when it was opened from the list."""
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    notifications_mark_read(user=request.user, notification_ids=ids or None)
    return redirect(safe_next_url(request, reverse("notifications:list")))


@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    """Follow or stop following a project or a street, then back to the page the button was on.
    The public is sent to sign in first (and back to that page)."""
    back = safe_next_url(request, "/")
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(back)
    target = {"project": form.cleaned_data["project"], "street": form.cleaned_data["street"]}
    if form.cleaned_data["action"] == "follow":
        follow_start(actor=request.user, **target)
        messages.success(
            request,
            _("You follow %(name)s now: its progress, notices and tender results come to your notifications.")
            % {"name": _name(**target)},
        )
    else:
        follow_stop(actor=request.user, **target)
        messages.success(request, _("You no longer follow %(name)s.") % {"name": _name(**target)})
    return redirect(back)


def _name(*, project: Any, street: Any) -> str:
    return project.name if project is not None else street.name
