"""HTTP side of the threads: everything works without JavaScript (plain forms), and the live
page calls the same services through the WebSocket."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renovation.accounts.landing import safe_next_url

from . import services
from .models import Comment, Thread
from .permissions import can_edit_comment, can_read_thread


def _back(request: HttpRequest, fallback: str, anchor: str = "") -> HttpResponse:
    return HttpResponseRedirect(f"{safe_next_url(request, fallback)}{anchor}")


def _thread_url(thread: Thread) -> str:
    if thread.site_issue_id:
        return reverse("supervision:issue", args=[thread.site_issue_id])
    return "/projects/"


def _readable_thread(request: HttpRequest, pk: int) -> Thread:
    thread = get_object_or_404(
        Thread.objects.select_related(
            "project__neighbourhood__community", "site_issue__project__neighbourhood__community", "site_issue__reporter"
        ),
        pk=pk,
    )
    if not can_read_thread(request.user, thread):
        raise Http404
    return thread


def _readable_comment(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("author", "thread"), pk=pk)
    _readable_thread(request, comment.thread_id)
    return comment


@login_required
@require_POST
def post(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = _readable_thread(request, thread_id)
    text = request.POST.get("text", "")
    try:
        comment, _created = services.comment_post(
            actor=request.user, thread=thread, text=text, client_id=request.POST.get("client_id") or None
        )
    except ValidationError as error:
        # Keep what they wrote and say why, on a page of its own (this is the no-JavaScript path).
        context = {"thread": thread, "text": text, "errors": error.messages, "next": request.POST.get("next", "")}
        return render(request, "discussion/post_again.html", context, status=400)
    return _back(request, _thread_url(thread), f"#comment-{comment.pk}")


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _readable_comment(request, pk)
    if not can_edit_comment(request.user, comment):
        raise PermissionDenied(_("Only the author can edit a comment, within 15 minutes of posting it."))
    errors: list[str] = []
    text = comment.text
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.comment_edit(actor=request.user, comment=comment, text=text)
        except ValidationError as error:
            errors = error.messages
        else:
            return _back(request, _thread_url(comment.thread), f"#comment-{comment.pk}")
    context = {"comment": comment, "text": text, "errors": errors, "next": request.GET.get("next", "")}
    return render(request, "discussion/edit.html", context, status=400 if errors else 200)


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    comment = _readable_comment(request, pk)
    try:
        if action == "hide":
            services.comment_hide(actor=request.user, comment=comment, reason=request.POST.get("reason", ""))
            messages.success(request, _("The comment is hidden; the reason is shown in its place."))
        elif action == "unhide":
            services.comment_unhide(actor=request.user, comment=comment)
            messages.success(request, _("The comment is shown again."))
        elif action == "flag":
            services.comment_flag(actor=request.user, comment=comment, reason=request.POST.get("reason", ""))
            messages.success(request, _("Thank you. A moderator will look at this comment."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, _thread_url(comment.thread), f"#comment-{comment.pk}")
