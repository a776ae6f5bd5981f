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


# --- Accounts ------------------------------------------------------------------------------------
# Bureau staff manage accounts; street staff manage none (not even their own role); only an
# administrator (superuser) touches administrators, groups' permissions or the administrator flag.


def can_manage_accounts(user: AnyUser) -> bool:
    """Create staff accounts, change roles, deactivate, reset passwords: bureau staff only."""
    return is_bureau(user)


def can_manage_account(user: AnyUser, target: AbstractBaseUser) -> bool:
    """May ``user`` edit ``target``'s account? Nobody but an administrator touches an administrator."""
    if not can_manage_accounts(user):
        return False
    return bool(user.is_superuser) or not getattr(target, "is_superuser", False)


def can_grant_role(user: AnyUser, role: str) -> bool:
    """Roles are granted by bureau staff (or an administrator); "" means no staff role."""
    return can_manage_accounts(user) and role in {"", *StaffRole.values}


def can_manage_groups(user: AnyUser) -> bool:
    """Role groups carry permissions defined in code (services.roles_sync): administrators only."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def can_view_groups(user: AnyUser) -> bool:
    return is_bureau(user)


def can_lift_login_locks(user: AnyUser) -> bool:
    """Bureau staff see who is locked out of signing in and lift a lock after checking."""
    return is_bureau(user)
