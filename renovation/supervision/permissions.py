"""Who may see and do what with site issues. Views, admin and services all ask these."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from renovation.accounts.permissions import can_manage_street, is_staff_member
from renovation.tendering.models import Contract

from .models import Supervisor

_SUPERVISOR_CACHE = "_renovation_supervisor"
_BUILT_CACHE = "_renovation_built_project_ids"


def supervisor_of(user: Any) -> Supervisor | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, _SUPERVISOR_CACHE):
        setattr(user, _SUPERVISOR_CACHE, Supervisor.objects.filter(user=user).first())
    return getattr(user, _SUPERVISOR_CACHE)


def acting_for_contractor(prefix: str, user: Any) -> Q:
    """The user acts for the company at ``<prefix>``: one of its accounts (Bidder.accounts) or
    one of its construction unit's site accounts."""
    return Q(**{f"{prefix}accounts": user}) | Q(**{f"{prefix}construction_unit__members": user})


def project_ids_built_by(user: Any) -> set[int]:
    contracts = Contract.objects.filter(acting_for_contractor("contractor__", user))
    return set(contracts.values_list("project_id", flat=True).distinct())


def builders_of(project_id: int) -> QuerySet:
    """The accounts that answer a project's site issues: those of every company holding a signed
    contract for its works."""
    contractors = Contract.objects.filter(project_id=project_id).values("contractor_id")
    return (
        get_user_model()
        .objects.filter(Q(bidders__in=contractors) | Q(construction_units__company__in=contractors), is_active=True)
        .distinct()
    )


def built_project_ids(user: Any) -> frozenset[int]:
    """Projects whose works a company the user acts for holds a signed contract for (the
    contractor is the construction unit: nothing typed by hand)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if not hasattr(user, _BUILT_CACHE):
        setattr(user, _BUILT_CACHE, frozenset(project_ids_built_by(user)))
    return getattr(user, _BUILT_CACHE)


def is_construction_member(user: Any) -> bool:
    return bool(built_project_ids(user))


def can_report_on(user: Any, project: Any) -> bool:
    """A supervisor reports on the projects assigned to them, during their term."""
    supervisor = supervisor_of(user)
    if supervisor is None or not supervisor.in_term(timezone.localdate()):
        return False
    return supervisor.projects.filter(pk=project.pk).exists()


def _street_id(issue: Any) -> int:
    return issue.project.neighbourhood.community.street_id


def can_review_issue(user: Any, issue: Any) -> bool:
    """Accepting or rejecting is for the staff of the project's street, and the bureau."""
    return is_staff_member(user) and can_manage_street(user, _street_id(issue))


def can_rectify_issue(user: Any, issue: Any) -> bool:
    return issue.project_id in built_project_ids(user)


def is_issue_reporter(user: Any, issue: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and issue.reporter.user_id == user.pk


def can_view_issue(user: Any, issue: Any) -> bool:
    """The private record (submitted, rejected, the working thread) is for the reporter, the
    construction unit of the project and the staff responsible; the public sees accepted issues
    on the project page."""
    return is_issue_reporter(user, issue) or can_rectify_issue(user, issue) or can_review_issue(user, issue)
