"""Who may do what. Services, admin views and pages all ask these functions, never roles directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import StaffProfile, StaffRole

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from renovation.places.models import Street

    AnyUser = AbstractBaseUser | AnonymousUser

_PROFILE_CACHE = "_renovation_staff_profile"


def staff_profile(user: AnyUser) -> StaffProfile | None:
    """The user's staff profile, looked up once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, _PROFILE_CACHE):
        profile = StaffProfile.objects.filter(user=user).select_related("street").first()
        setattr(user, _PROFILE_CACHE, profile)
    return getattr(user, _PROFILE_CACHE)


def is_bureau(user: AnyUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = staff_profile(user)
    return profile is not None and profile.role == StaffRole.BUREAU


def is_staff_member(user: AnyUser) -> bool:
    return is_bureau(user) or staff_profile(user) is not None


def staff_street_id(user: AnyUser) -> int | None:
    """The street a street-office user is bound to; None for bureau staff and everyone else."""
    if is_bureau(user):
        return None
    profile = staff_profile(user)
    return profile.street_id if profile is not None else None


def can_manage_street(user: AnyUser, street: Street | int | None) -> bool:
    """Bureau staff manage every street; street staff only their own."""
    if is_bureau(user):
        return True
    street_id = street if isinstance(street, int) or street is None else street.pk
    own = staff_street_id(user)
    return own is not None and street_id is not None and own == street_id


def can_manage_streets(user: AnyUser) -> bool:
    """Creating or renaming streets is a bureau decision."""
    return is_bureau(user)


def can_confirm_progress(user: AnyUser) -> bool:
    """Only bureau staff confirm progress reports (they move the official figures)."""
    return is_bureau(user)
