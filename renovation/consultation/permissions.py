"""Who may do what in consultation. Staff act for their street; a resident acts only for the
households staff have linked to their account."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.projects.models import Project
from renovation.projects.services import require_project_manager

from .models import Household, HouseholdMember


def is_linked_resident(user: Any, household: Household) -> bool:
    """Staff linked the account by hand, or it joined with the household's code (一户一码)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if household.resident_id is not None and household.resident_id == user.pk:
        return True
    return HouseholdMember.objects.filter(household=household, user=user).exists()


def require_household_voice(actor: Any, project: Project, household: Household) -> bool:
    """Staff of the project's street, or the household's linked resident. Returns True for staff.

    Raises PermissionDenied for anyone else; a household outside the project's neighbourhood is a
    mistake in the input, not a permission question, and is refused by the services.
    """
    if is_staff_member(actor):
        require_project_manager(actor, project)
        return True
    if is_linked_resident(actor, household):
        return False
    raise PermissionDenied(_("Only street staff or the household's verified resident may do this."))


def resident_households(user: Any, project: Project) -> list[Household]:
    """The households of the project's neighbourhood that staff linked to this account."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Household.objects.filter(Q(resident=user) | Q(members__user=user), neighbourhood_id=project.neighbourhood_id)
        .distinct()
        .order_by("building", "unit", "room")
    )
