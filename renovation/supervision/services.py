"""Site-issue workflow (监督反馈): report → accept/reject → rectify → confirm/reopen.

Every step checks who is acting, moves the status only along the allowed path, records a
transition row (who, when, from, to, note) plus history, and notifies the people concerned.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.models import StaffProfile, StaffRole
from renovation.accounts.permissions import is_bureau
from renovation.accounts.services import resident_account_ensure
from renovation.changelog.records import apply_changes, save_recorded
from renovation.discussion.services import thread_for_issue
from renovation.files.photos import ProcessedPhoto, public_copy, validate_photos
from renovation.notifications.services import notify
from renovation.projects.models import Project
from renovation.public.cache import Change, pages_changed
from renovation.realtime.events import issue_group, project_group, publish
from renovation.realtime.messages import issue_status_message

from .models import (
    AWAITING_FIX_STATUSES,
    ConstructionUnit,
    IssueSeverity,
    IssueStatus,
    PhotoKind,
    SiteIssue,
    SiteIssuePhoto,
    SiteIssueTransition,
    Supervisor,
)
from .permissions import builders_of, can_rectify_issue, can_report_on, can_review_issue, is_issue_reporter

S = IssueStatus
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACCEPTED, S.REJECTED},
    S.ACCEPTED: {S.RECTIFYING, S.RECTIFIED},
    S.RECTIFYING: {S.RECTIFIED},
    S.RECTIFIED: {S.CONFIRMED, S.REOPENED},
    S.REOPENED: {S.RECTIFYING, S.RECTIFIED},
    S.CONFIRMED: set(),
    S.REJECTED: set(),
}
SUPERVISOR_FIELDS = ("home_neighbourhood", "appointed_by", "term_start", "term_end", "show_name_publicly")
ACCOUNT_FIELDS = ("username", "full_name", "email", "password")
CONSTRUCTION_UNIT_FIELDS = ("name", "company", "contact_phone")
NEW_MEMBER_FIELDS = ("new_member_username", "new_member_full_name", "new_member_email", "new_member_password")


# --- appointments (bureau staff) -------------------------------------------------------------


def _require_bureau(actor: Any) -> None:
    if not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff may appoint supervisors and construction units."))


def _split(data: Mapping[str, Any], *groups: Sequence[str]) -> list[dict[str, Any]]:
    return [{key: data[key] for key in group if key in data} for group in groups]


def supervisor_appoint(*, actor: Any, data: Mapping[str, Any]) -> Supervisor:
    """Appoint a resident supervisor: their account (created if new), term and projects."""
    _require_bureau(actor)
    fields, account, relations = _split(data, SUPERVISOR_FIELDS, ACCOUNT_FIELDS, ("projects",))
    with transaction.atomic():
        user = resident_account_ensure(**account)
        if Supervisor.objects.filter(user=user).exists():
            raise ValidationError({"username": _("This account is already a resident supervisor.")})
        supervisor = Supervisor(user=user)
        apply_changes(supervisor, fields, SUPERVISOR_FIELDS)
        save_recorded(supervisor, actor=actor, reason="supervisor_appoint")
        if "projects" in relations:
            supervisor.projects.set(relations["projects"])
    return supervisor


def supervisor_update(*, actor: Any, supervisor: Supervisor, data: Mapping[str, Any]) -> Supervisor:
    _require_bureau(actor)
    fields, account, relations = _split(data, SUPERVISOR_FIELDS, ACCOUNT_FIELDS, ("projects",))
    with transaction.atomic():
        if account:
            account.setdefault("username", supervisor.user.username)
            if account["username"] != supervisor.user.username:
                raise ValidationError({"username": _("The account name cannot be changed.")})
            resident_account_ensure(**account)
        apply_changes(supervisor, fields, SUPERVISOR_FIELDS)
        save_recorded(supervisor, actor=actor, reason="supervisor_update")
        if "projects" in relations:
            supervisor.projects.set(relations["projects"])
    return supervisor


def _unit_save(actor: Any, unit: ConstructionUnit, data: Mapping[str, Any], reason: str) -> ConstructionUnit:
    fields, relations, new_member = _split(data, CONSTRUCTION_UNIT_FIELDS, ("members",), NEW_MEMBER_FIELDS)
    apply_changes(unit, fields, CONSTRUCTION_UNIT_FIELDS)
    with transaction.atomic():
        save_recorded(unit, actor=actor, reason=reason)
        members = list(relations.get("members") or unit.members.all())
        if new_member.get("new_member_username"):
            members.append(
                resident_account_ensure(
                    username=new_member["new_member_username"],
                    full_name=new_member.get("new_member_full_name", ""),
                    email=new_member.get("new_member_email", ""),
                    password=new_member.get("new_member_password") or None,
                )
            )
        unit.members.set(members)
    return unit


def construction_unit_create(*, actor: Any, data: Mapping[str, Any]) -> ConstructionUnit:
    _require_bureau(actor)
    return _unit_save(actor, ConstructionUnit(), data, "construction_unit_create")


def construction_unit_update(*, actor: Any, unit: ConstructionUnit, data: Mapping[str, Any]) -> ConstructionUnit:
    _require_bureau(actor)
    return _unit_save(actor, unit, data, "construction_unit_update")


# --- deadlines -----------------------------------------------------------------------------


def default_deadline(*, category: str, severity: str, start: datetime) -> datetime:
    """Safety 24 h, quality 72 h, everything else 7 days; an urgent issue never waits longer
    than the urgent limit. All configurable in settings."""
    hours = settings.SITE_ISSUE_DEADLINE_HOURS.get(category, settings.SITE_ISSUE_DEFAULT_DEADLINE_HOURS)
    if severity == IssueSeverity.URGENT:
        hours = min(hours, settings.SITE_ISSUE_URGENT_DEADLINE_HOURS)
    return start + timedelta(hours=hours)


# --- the workflow --------------------------------------------------------------------------


def _issue_url(issue: SiteIssue) -> str:
    return reverse("supervision:issue", args=[issue.pk])


def _street_staff(issue: SiteIssue) -> list[Any]:
    street_id = issue.project.neighbourhood.community.street_id
    profiles = StaffProfile.objects.filter(role=StaffRole.STREET, street_id=street_id).select_related("user")
    staff = [profile.user for profile in profiles]
    if not staff:  # no one in the street office yet: the bureau must hear of it
        staff = [p.user for p in StaffProfile.objects.filter(role=StaffRole.BUREAU).select_related("user")]
    return staff


def _builders(issue: SiteIssue) -> list[Any]:
    return list(builders_of(issue.project_id))


def _move(issue: SiteIssue, *, actor: Any, to: str, note: str = "") -> SiteIssue:
    if to not in TRANSITIONS[issue.status]:
        raise ValidationError(
            _("This issue is “%(status)s”; it cannot be moved to “%(target)s”.")
            % {"status": issue.get_status_display(), "target": IssueStatus(to).label}
        )
    SiteIssueTransition.objects.create(issue=issue, actor=actor, from_status=issue.status, to_status=to, note=note)
    issue.status = to
    save_recorded(issue, actor=actor, reason=f"site_issue_{to}")
    # Public issues and every issue's response times (project page, street table) move with it.
    pages_changed(Change.SITE_ISSUE, project_id=issue.project_id)
    message = issue_status_message(issue)
    publish(issue_group(issue.pk), message)
    if issue.is_public:
        # The public project page lists accepted issues; a private one must not even be hinted at.
        publish(project_group(issue.project_id), message)
        # Its photos (and after-photos stored in this same transaction) get public copies once
        # the move is committed; a rolled-back acceptance publishes nothing.
        transaction.on_commit(functools.partial(site_issue_photos_publish, issue_id=issue.pk))
    return issue


def site_issue_photos_publish(*, issue_id: int) -> int:
    """Copy the photos of a public issue to the public storage under new random names (the
    private names are never revealed); returns how many photos were copied. Photos already
    copied are skipped, so running it again (``manage.py site_issue_photos_publish``) is harmless.
    Until a copy exists the page links the permission-checked view, which serves public issues."""
    issue = SiteIssue.objects.filter(pk=issue_id).first()
    if issue is None or not issue.is_public:
        return 0
    copied = 0
    for photo in issue.photos.filter(Q(public_image="") | Q(public_thumbnail="")):
        names = {
            "public_image": public_copy(photo.image, folder="issue-photos"),
            "public_thumbnail": public_copy(photo.thumbnail, folder="issue-photos"),
        }
        SiteIssuePhoto.objects.filter(pk=photo.pk).update(**names)
        copied += 1
    return copied


def _locked(issue: SiteIssue) -> SiteIssue:
    return (
        SiteIssue.objects.select_for_update(of=("self",))
        .select_related("project__neighbourhood__community", "reporter__user")
        .get(pk=issue.pk)
    )


def _store_photos(issue: SiteIssue, photos: Sequence[ProcessedPhoto], *, kind: str, actor: Any) -> None:
    start = issue.photos.filter(kind=kind).count()
    for offset, photo in enumerate(photos):
        stored = SiteIssuePhoto(
            issue=issue, kind=kind, taken_at=photo.taken_at, uploaded_by=actor, sort_order=start + offset
        )
        stored.image.save(photo.display.name, photo.display, save=False)
        stored.thumbnail.save(photo.thumbnail.name, photo.thumbnail, save=False)
        save_recorded(stored, actor=actor, reason=f"site_issue_photo_{kind}")


def site_issue_report(
    *,
    actor: Any,
    project: Project,
    category: str,
    severity: str,
    description: str,
    location: str,
    photos: Sequence[UploadedFile],
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> SiteIssue:
    """A supervisor reports what they saw, with 1 to 9 photos. Nothing is saved unless every
    photo is a real, readable image within the limits."""
    if not can_report_on(actor, project):
        raise PermissionDenied(_("You can report only on the projects you are assigned to supervise."))
    issue = SiteIssue(
        project=project,
        reporter=actor.supervisor,
        category=category,
        severity=severity,
        description=(description or "").strip(),
        location=(location or "").strip(),
        latitude=latitude,
        longitude=longitude,
    )
    errors: dict[str, list] = {}
    try:
        issue.full_clean(exclude=["reporter", "project"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        processed = validate_photos(list(photos), minimum=1, maximum=settings.SITE_ISSUE_MAX_PHOTOS)
    except ValidationError as error:
        errors.setdefault("photos", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_recorded(issue, actor=actor, reason="site_issue_report")
        SiteIssueTransition.objects.create(issue=issue, actor=actor, from_status="", to_status=S.SUBMITTED)
        # Its discussion opens with the issue: reading the issue page never writes.
        thread_for_issue(issue)
        _store_photos(issue, processed, kind=PhotoKind.BEFORE, actor=actor)
        notify(
            recipients=_street_staff(issue),
            title=_("New site issue on %(project)s") % {"project": project.name},
            body=f"{issue.get_category_display()} · {issue.location}\n{issue.description}",
            url=_issue_url(issue),
        )
    return issue


def site_issue_accept(*, actor: Any, issue: SiteIssue, deadline: datetime | None = None, note: str = "") -> SiteIssue:
    """Staff accept the issue for rectification and set the deadline (default by category)."""
    with transaction.atomic():
        issue = _locked(issue)
        if not can_review_issue(actor, issue):
            raise PermissionDenied(_("Only the staff responsible for this project may accept its issues."))
        now = timezone.now()
        deadline = deadline or default_deadline(category=issue.category, severity=issue.severity, start=now)
        if deadline <= now:
            raise ValidationError({"deadline": _("The deadline must be in the future.")})
        issue.deadline = deadline
        issue.accepted_at = now
        _move(issue, actor=actor, to=S.ACCEPTED, note=note)
        notify(
            recipients=[issue.reporter.user, *_builders(issue)],
            title=_("Site issue #%(id)s accepted: rectify by %(deadline)s")
            % {"id": issue.pk, "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
            body=note,
            url=_issue_url(issue),
            exclude=actor,
            sms=True,
        )
    return issue


def site_issues_remind_deadlines(*, now: datetime | None = None) -> int:
    """Remind the construction unit of every issue awaiting its fix whose deadline comes within
    ``SITE_ISSUE_REMIND_HOURS``: in the app, by e-mail and, for those who opted in, by SMS. Once per
    deadline, however often it runs and however many runs overlap (each issue is locked and checked
    again). Run by the workers' clock (supervision/tasks.py) or ``manage.py site_issues_remind``;
    returns how many were reminded."""
    now = now or timezone.now()
    due = (
        SiteIssue.objects.filter(
            status__in=AWAITING_FIX_STATUSES,
            deadline__gt=now,
            deadline__lte=now + timedelta(hours=settings.SITE_ISSUE_REMIND_HOURS),
        )
        .exclude(deadline_reminded_for=F("deadline"))
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            issue = _locked(SiteIssue(pk=pk))
            if issue.status not in AWAITING_FIX_STATUSES or issue.deadline_reminded_for == issue.deadline:
                continue
            issue.deadline_reminded_for = issue.deadline
            save_recorded(issue, actor=None, reason="site_issue_deadline_remind")
            notify(
                recipients=_builders(issue),
                title=_("Site issue #%(id)s on %(project)s: rectify by %(deadline)s")
                % {
                    "id": issue.pk,
                    "project": issue.project.name,
                    "deadline": timezone.localtime(issue.deadline).strftime("%Y-%m-%d %H:%M"),
                },
                body=f"{issue.get_category_display()} · {issue.location}",
                url=_issue_url(issue),
                sms=True,
            )
            reminded += 1
    return reminded


def site_issue_reject(*, actor: Any, issue: SiteIssue, reason: str) -> SiteIssue:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": _("Say why the issue is not accepted; the supervisor will read it.")})
    with transaction.atomic():
        issue = _locked(issue)
        if not can_review_issue(actor, issue):
            raise PermissionDenied(_("Only the staff responsible for this project may reject its issues."))
        issue.rejection_reason = reason
        _move(issue, actor=actor, to=S.REJECTED, note=reason)
        notify(
            recipients=[issue.reporter.user],
            title=_("Site issue #%(id)s was not accepted") % {"id": issue.pk},
            body=reason,
            url=_issue_url(issue),
            exclude=actor,
        )
    return issue


def site_issue_start_rectifying(*, actor: Any, issue: SiteIssue, note: str = "") -> SiteIssue:
    with transaction.atomic():
        issue = _locked(issue)
        if not can_rectify_issue(actor, issue):
            raise PermissionDenied(_("Only the construction unit of this project may answer its issues."))
        if note.strip():
            issue.response = note.strip()
        _move(issue, actor=actor, to=S.RECTIFYING, note=note.strip())
        notify(
            recipients=[issue.reporter.user],
            title=_("Site issue #%(id)s is being rectified") % {"id": issue.pk},
            body=note,
            url=_issue_url(issue),
            exclude=actor,
        )
    return issue


def site_issue_rectify(*, actor: Any, issue: SiteIssue, response: str, photos: Sequence[UploadedFile]) -> SiteIssue:
    """The construction unit reports the fix with after-photos; the supervisor then checks it."""
    response = (response or "").strip()
    errors: dict[str, list] = {}
    if not response:
        errors["note"] = [_("Describe what was done to fix the issue.")]
    try:
        processed = validate_photos(list(photos), minimum=1, maximum=settings.SITE_ISSUE_MAX_PHOTOS)
    except ValidationError as error:
        errors["photos"] = error.messages
    with transaction.atomic():
        issue = _locked(issue)
        if not can_rectify_issue(actor, issue):
            raise PermissionDenied(_("Only the construction unit of this project may answer its issues."))
        if errors:
            raise ValidationError(errors)
        issue.response = response
        issue.rectified_at = timezone.now()
        _move(issue, actor=actor, to=S.RECTIFIED, note=response)
        _store_photos(issue, processed, kind=PhotoKind.AFTER, actor=actor)
        notify(
            recipients=[issue.reporter.user, *_street_staff(issue)],
            title=_("Site issue #%(id)s rectified: please check") % {"id": issue.pk},
            body=response,
            url=_issue_url(issue),
            exclude=actor,
        )
    return issue


def site_issue_confirm(*, actor: Any, issue: SiteIssue, note: str = "") -> SiteIssue:
    with transaction.atomic():
        issue = _locked(issue)
        if not is_issue_reporter(actor, issue):
            raise PermissionDenied(_("Only the supervisor who reported the issue may confirm the fix."))
        issue.confirmed_at = timezone.now()
        _move(issue, actor=actor, to=S.CONFIRMED, note=note.strip())
        notify(
            recipients=[*_builders(issue), *_street_staff(issue)],
            title=_("Site issue #%(id)s confirmed fixed") % {"id": issue.pk},
            body=note,
            url=_issue_url(issue),
            exclude=actor,
        )
    return issue


def site_issue_reopen(*, actor: Any, issue: SiteIssue, reason: str) -> SiteIssue:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": _("Say what is still wrong, so the construction unit can fix it.")})
    with transaction.atomic():
        issue = _locked(issue)
        if not is_issue_reporter(actor, issue):
            raise PermissionDenied(_("Only the supervisor who reported the issue may reopen it."))
        now = timezone.now()
        issue.deadline = default_deadline(category=issue.category, severity=issue.severity, start=now)
        issue.rectified_at = None
        _move(issue, actor=actor, to=S.REOPENED, note=reason)
        notify(
            recipients=[*_builders(issue), *_street_staff(issue)],
            title=_("Site issue #%(id)s reopened: the fix is not good enough") % {"id": issue.pk},
            body=reason,
            url=_issue_url(issue),
            exclude=actor,
        )
    return issue
