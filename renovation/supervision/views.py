"""Mobile pages for supervisors, construction units and street staff on site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import add_service_errors, posted_data
from renovation.consultation.models import Household
from renovation.discussion.selectors import issue_thread, thread_context
from renovation.projects.selectors import lateness_for_projects
from renovation.tendering.models import Bidder

from . import selectors, services
from .forms import AcceptForm, IssueReportForm, NoteForm, RectifyForm
from .models import OPEN_STATUSES, SiteIssue
from .permissions import (
    can_rectify_issue,
    can_review_issue,
    can_view_issue,
    is_issue_reporter,
    supervisor_of,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    supervisor = supervisor_of(user)
    issues = selectors.overdue_first(selectors.issues_visible_to(user))
    projects = list(selectors.supervisor_projects(user))
    lateness = lateness_for_projects(projects, timezone.localdate())
    for project in projects:
        project.lateness = lateness[project.pk].project
    context = {
        "supervisor": supervisor,
        "projects": projects,
        "open_issues": list(issues.filter(status__in=OPEN_STATUSES)[:50]),
        "recent_closed": list(issues.exclude(status__in=OPEN_STATUSES).order_by("-created_at")[:10]),
        "is_staff_member": is_staff_member(user),
        # "My work" is where everyone lands after signing in: point residents and bidders onwards.
        "has_household": Household.objects.filter(resident=user).exists(),
        "is_bidder": Bidder.objects.filter(accounts=user).exists(),
    }
    return render(request, "supervision/home.html", context)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    projects = selectors.supervisor_projects(request.user)
    supervisor = supervisor_of(request.user)
    if supervisor is None or not supervisor.in_term():
        raise PermissionDenied(_("Only resident supervisors in their term may report site issues."))
    chosen = request.POST.get("project", "")
    if request.method == "POST" and chosen.isdigit() and not projects.filter(pk=int(chosen)).exists():
        raise PermissionDenied(_("You can report only on the projects you are assigned to supervise."))
    form = IssueReportForm(posted_data(request), request.FILES or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.site_issue_report(
                actor=request.user,
                project=data["project"],
                category=data["category"],
                severity=data["severity"],
                description=data["description"],
                location=data["location"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                photos=data["photos"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you. Your report #%(id)s has been sent to the street office.") % {"id": issue.pk}
            )
            return redirect("supervision:issue", pk=issue.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/report.html", {"form": form}, status=status)


def _visible_issue(request: HttpRequest, pk: int) -> SiteIssue:
    issue = selectors.with_photos(SiteIssue.objects.select_related(*selectors.ISSUE_RELATED)).filter(pk=pk).first()
    if issue is None or not can_view_issue(request.user, issue):
        raise Http404  # nobody learns that an issue they may not see exists
    return issue


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    return render(request, "supervision/issue.html", _issue_context(request, issue))


def _issue_context(request: HttpRequest, issue: SiteIssue, **forms: Any) -> dict[str, Any]:
    user = request.user
    photos = list(issue.photos.all())
    allowed = services.TRANSITIONS[issue.status]
    # The thread opened with the issue (services.site_issue_report): this GET never writes.
    thread = issue_thread(issue)
    discussion = thread_context(thread, user, next_url=request.path) if thread is not None else {}
    return {
        **discussion,
        "issue": issue,
        "before_photos": [p for p in photos if p.kind == "before"],
        "after_photos": [p for p in photos if p.kind == "after"],
        "transitions": issue.transitions.select_related("actor").order_by("created_at", "pk"),
        "can_review": can_review_issue(user, issue) and "accepted" in allowed,
        "can_start": can_rectify_issue(user, issue) and "rectifying" in allowed,
        "can_rectify": can_rectify_issue(user, issue) and "rectified" in allowed,
        "can_check": is_issue_reporter(user, issue) and "confirmed" in allowed,
        "accept_form": forms.get("accept_form") or AcceptForm(prefix="accept"),
        "reject_form": forms.get("reject_form") or NoteForm(prefix="reject"),
        "start_form": forms.get("start_form") or NoteForm(prefix="start"),
        "rectify_form": forms.get("rectify_form") or RectifyForm(prefix="rectify"),
        "confirm_form": forms.get("confirm_form") or NoteForm(prefix="confirm"),
        "reopen_form": forms.get("reopen_form") or NoteForm(prefix="reopen"),
    }


def _accept(request: HttpRequest, issue: SiteIssue, form: AcceptForm) -> SiteIssue:
    return services.site_issue_accept(
        actor=request.user, issue=issue, deadline=form.cleaned_data["deadline"], note=form.cleaned_data["note"]
    )


ACTIONS: dict[str, tuple[type, Callable[[HttpRequest, SiteIssue, Any], SiteIssue], Any]] = {
    "accept": (AcceptForm, _accept, gettext_lazy("Issue accepted; the construction unit has been told.")),
    "reject": (
        NoteForm,
        lambda r, i, f: services.site_issue_reject(actor=r.user, issue=i, reason=f.cleaned_data["note"]),
        gettext_lazy("Issue not accepted; the supervisor has been told why."),
    ),
    "start": (
        NoteForm,
        lambda r, i, f: services.site_issue_start_rectifying(actor=r.user, issue=i, note=f.cleaned_data["note"]),
        gettext_lazy("Marked as being rectified."),
    ),
    "rectify": (
        RectifyForm,
        lambda r, i, f: services.site_issue_rectify(
            actor=r.user, issue=i, response=f.cleaned_data["note"], photos=f.cleaned_data["photos"]
        ),
        gettext_lazy("Rectification reported; the supervisor will check it."),
    ),
    "confirm": (
        NoteForm,
        lambda r, i, f: services.site_issue_confirm(actor=r.user, issue=i, note=f.cleaned_data["note"]),
        gettext_lazy("Thank you: the fix is confirmed."),
    ),
    "reopen": (
        NoteForm,
        lambda r, i, f: services.site_issue_reopen(actor=r.user, issue=i, reason=f.cleaned_data["note"]),
        gettext_lazy("Issue reopened; the construction unit has been told."),
    ),
}


@login_required
@require_POST
def issue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    issue = _visible_issue(request, pk)
    form_class, perform, done = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if form.is_valid():
        try:
            perform(request, issue, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(done))
            return redirect("supervision:issue", pk=issue.pk)
    context = _issue_context(request, issue, **{f"{action}_form": form})
    return render(request, "supervision/issue.html", context, status=400)
