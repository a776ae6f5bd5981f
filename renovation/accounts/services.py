"""Role set-up and staff accounts."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.places.models import Street

from .models import SessionRecord, StaffProfile, StaffRole
from .permissions import can_grant_role, can_lift_login_locks, can_manage_account, can_manage_accounts
from .signals import display_name, display_name_report

BUREAU_GROUP = "住建局工作人员"
STREET_GROUP = "街道工作人员"

# app_label -> model -> actions. Street scoping is enforced on top of these by the services.
_ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    BUREAU_GROUP: {
        "places": {
            "street": ("add", "change", "view"),
            "community": ("add", "change", "view"),
            "neighbourhood": ("add", "change", "view"),
        },
        "projects": {
            "project": ("add", "change", "view"),
            "workitem": ("add", "change", "view"),
            "progressreport": ("add", "change", "view"),
            "progressphoto": ("change", "view"),  # change = withdraw from the public pages
        },
        "finance": {"ledgerentry": ("add", "change", "view"), "quarterlydisclosure": ("add", "view")},
        "supervision": {
            "supervisor": ("add", "change", "view"),
            "constructionunit": ("add", "change", "view"),
            "siteissue": ("change", "view"),
        },
        "consultation": {"household": ("add", "change", "view"), "intent": ("change", "view")},
        "discussion": {"comment": ("change", "view")},
        "tendering": {
            "tender": ("add", "change", "view"),
            "contract": ("add", "view"),
            "bidder": ("view",),
            "procurementkind": ("add", "change", "view"),
        },
        "wagtailimages": {"image": ("add", "change", "choose")},
        "wagtaildocs": {"document": ("add", "change", "choose")},
    },
    STREET_GROUP: {
        "places": {
            "street": ("view",),
            "community": ("add", "change", "view"),
            "neighbourhood": ("add", "change", "view"),
        },
        "projects": {
            "project": ("add", "change", "view"),
            "workitem": ("add", "change", "view"),
            "progressreport": ("add", "change", "view"),
            "progressphoto": ("change", "view"),  # change = withdraw from the public pages
        },
        "finance": {"ledgerentry": ("add", "change", "view"), "quarterlydisclosure": ("add", "view")},
        "supervision": {
            "supervisor": ("view",),
            "constructionunit": ("view",),
            "siteissue": ("change", "view"),
        },
        "consultation": {"household": ("add", "change", "view"), "intent": ("change", "view")},
        "discussion": {"comment": ("change", "view")},
        "tendering": {
            "tender": ("add", "change", "view"),
            "contract": ("add", "view"),
            "bidder": ("view",),
            "procurementkind": ("view",),
        },
        "wagtailimages": {"image": ("add", "choose")},
    },
}


def roles_sync() -> dict[str, Group]:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    groups: dict[str, Group] = {}
    wanted_by_group = {
        group_name: [
            ("wagtailadmin", "access_admin"),
            *[
                (app_label, f"{action}_{model}")
                for app_label, models in apps.items()
                for model, actions in models.items()
                for action in actions
            ],
        ]
        for group_name, apps in _ROLE_PERMISSIONS.items()
    }
    with transaction.atomic():
        # Every permission the roles name, in one query (it runs for each staff account made):
        # the first by Permission's ordering where an app has two of one codename, as .first() gave.
        existing: dict[tuple[str, str], Permission] = {}
        codenames = {codename for wanted in wanted_by_group.values() for _app, codename in wanted}
        for permission in Permission.objects.filter(codename__in=codenames).select_related("content_type"):
            existing.setdefault((permission.content_type.app_label, permission.codename), permission)
        for group_name, wanted in wanted_by_group.items():
            group, _created = Group.objects.get_or_create(name=group_name)
            group.permissions.set([existing[key] for key in wanted if key in existing])
            groups[group_name] = group
    return groups


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate fires once per installed app, in order, and each app's permissions are created
    # by its own call: only at the last app do all the permissions the roles need exist.
    with_models = [config for config in django_apps.get_app_configs() if config.models_module is not None]
    last_app = with_models[-1]
    if sender is not last_app:
        return
    roles_sync()


def staff_account_ensure(
    *, username: str, role: str, street: Street | None, display_name: str, password: str | None
) -> tuple[Any, bool]:
    """Create (or update the role of) a staff account. Returns (user, created).

    The password is set only when given, so re-running the demo seed keeps people's passwords.
    """
    User = get_user_model()
    groups = roles_sync()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": display_name, "is_staff": False}
        )
        if password is not None:
            user.set_password(password)
            user.save()
        StaffProfile.objects.update_or_create(user=user, defaults={"role": role, "street": street})
        group = groups[BUREAU_GROUP if role == StaffRole.BUREAU else STREET_GROUP]
        user.groups.add(group)
    return user, created


def resident_account_ensure(*, username: str, full_name: str, email: str = "", password: str | None = None) -> Any:
    """The login of a resident supervisor or a construction-unit member: created when new,
    renamed when it exists. Staff accounts cannot be reused for these roles."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter the account name the person will sign in with.")})
    user = User.objects.filter(username=username).first()
    if user is not None and (user.is_superuser or StaffProfile.objects.filter(user=user).exists()):
        raise ValidationError({"username": _("This is a staff account; choose another account name.")})
    if user is None:
        if not password:
            raise ValidationError({"password": _("Set a first password for the new account.")})
        user = User(username=username)
    before = display_name(user)
    user.first_name = (full_name or "").strip()[:150]
    user.email = (email or "").strip()
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        display_name_report(user, before)
    return user


# --- Staff accounts in the admin ---------------------------------------------------------------
# The Wagtail users screens call these; they hold the rules (who may grant which role, nobody
# raises their own), so a hand-made POST cannot get round them.

ACCOUNT_FIELDS = ("username", "email", "first_name", "last_name")


def _require_manage(actor: Any, target: Any | None = None) -> None:
    if not can_manage_accounts(actor):
        raise PermissionDenied(_("Only housing bureau staff can create or change accounts."))
    if target is not None and not can_manage_account(actor, target):
        raise PermissionDenied(_("Only an administrator can change an administrator's account."))


def _clean_role(*, actor: Any, user: Any | None, role: str, street: Street | None) -> tuple[str, Street | None]:
    role = role or ""
    if not can_grant_role(actor, role):
        raise PermissionDenied(_("You cannot grant this role."))
    if role == StaffRole.STREET and street is None:
        raise ValidationError({"street": _("Street office staff must belong to a street.")})
    if role != StaffRole.STREET:
        street = None
    if user is not None and user.pk is not None and user.pk == getattr(actor, "pk", None):
        current = StaffProfile.objects.filter(user=user).first()
        current_role = current.role if current else ""
        current_street = current.street_id if current else None
        if role != current_role or (street.pk if street else None) != current_street:
            raise PermissionDenied(_("You cannot change your own role; ask another member of the housing bureau."))
    return role, street


def _role_apply(user: Any, *, role: str, street: Street | None, reason: str) -> None:
    """Profile and group follow the role; the profile's history records the change."""
    groups = {group.name: group for group in Group.objects.filter(name__in=[BUREAU_GROUP, STREET_GROUP])}
    if not groups:
        groups = roles_sync()
    profile = StaffProfile.objects.filter(user=user).first()
    if role:
        profile = profile or StaffProfile(user=user)
        if profile.pk is None or profile.role != role or profile.street_id != (street.pk if street else None):
            profile.role = role
            profile.street = street
            profile.full_clean()
            profile._change_reason = reason
            profile.save()
    elif profile is not None:
        profile._change_reason = reason
        profile.delete()
    user.groups.remove(*groups.values())
    if role:
        user.groups.add(groups[BUREAU_GROUP if role == StaffRole.BUREAU else STREET_GROUP])


def _password_check(user: Any, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from error


def staff_account_create(
    *,
    actor: Any,
    username: str,
    email: str,
    first_name: str,
    last_name: str = "",
    password: str,
    role: str,
    street: Street | None = None,
) -> Any:
    """A new account with its role (bureau, street with its street, or none), created in one step."""
    _require_manage(actor)
    User = get_user_model()
    role, street = _clean_role(actor=actor, user=None, role=role, street=street)
    user = User(username=(username or "").strip(), email=(email or "").strip(), is_staff=False)
    user.first_name = (first_name or "").strip()
    user.last_name = (last_name or "").strip()
    if not password:
        raise ValidationError({"password1": _("Set a first password for the new account.")})
    _password_check(user, password)
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user._change_reason = "staff_account_create"
        user.save()
        _role_apply(user, role=role, street=street, reason="staff_account_create")
    return user


def _check_update_allowed(*, actor: Any, user: Any, data: dict[str, Any]) -> bool:
    """Refuse what the actor may not change; returns whether they are editing themselves."""
    _require_manage(actor, user)
    is_self = user.pk == getattr(actor, "pk", None)
    if ("is_superuser" in data or "groups" in data) and not actor.is_superuser:
        raise PermissionDenied(_("Only an administrator can make administrators or change groups."))
    if is_self and "is_active" in data and not data["is_active"]:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if is_self and data.get("is_superuser") is False and user.is_superuser:
        raise PermissionDenied(_("You cannot remove your own administrator rights."))
    return is_self


def _sessions_after_update(*, user: Any, deactivated: bool, password_changed: bool, keep_request: Any) -> None:
    """Deactivation ends every session; a new password every session but the editor's own."""
    if deactivated:
        sessions_end(user=user)
    elif password_changed:
        keep = keep_request.session.session_key if keep_request is not None else None
        sessions_end(user=user, keep_session_key=keep)
        if keep_request is not None:
            update_session_auth_hash(keep_request, user)


def staff_account_update(*, actor: Any, user: Any, data: dict[str, Any], request: Any = None) -> Any:
    """Change names, e-mail, role, street, active flag or password of an account.

    ``data`` holds only the fields the actor may change; administrators may also set
    ``is_superuser`` and ``groups``. Deactivating needs a reason and ends the user's sessions.
    """
    is_self = _check_update_allowed(actor=actor, user=user, data=data)
    role_given = "role" in data
    if role_given:
        role, street = _clean_role(actor=actor, user=user, role=data.get("role") or "", street=data.get("street"))
    was_active = user.is_active
    before = display_name(user)
    for field in ACCOUNT_FIELDS:
        if field in data:
            setattr(user, field, (data[field] or "").strip())
    if "is_active" in data:
        user.is_active = bool(data["is_active"])
    if "is_superuser" in data:
        user.is_superuser = bool(data["is_superuser"])
    deactivating = was_active and not user.is_active
    reason = (data.get("reason") or "").strip()
    if deactivating and not reason:
        raise ValidationError({"reason": _("Say why the account is deactivated; the reason is kept in its history.")})
    password = data.get("password") or ""
    if password:
        _password_check(user, password)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        if deactivating:
            user._change_reason = f"account_deactivate: {reason}"[:100]
        elif not was_active and user.is_active:
            user._change_reason = "account_reactivate"
        else:
            user._change_reason = "staff_account_update"
        user.save()
        display_name_report(user, before)
        if role_given:
            _role_apply(user, role=role, street=street, reason="staff_account_update")
        if "groups" in data:
            user.groups.set(data["groups"])
        _sessions_after_update(
            user=user,
            deactivated=deactivating,
            password_changed=bool(password),
            keep_request=request if is_self else None,
        )
    return user


def account_deactivate(*, actor: Any, user: Any, reason: str) -> Any:
    """Deactivate an account (its history stays) and end every session it has."""
    return staff_account_update(actor=actor, user=user, data={"is_active": False, "reason": reason})


def account_password_change(*, user: Any, password: str, request: Any = None) -> Any:
    """Someone changes their own password: their other sessions end, this one stays."""
    _password_check(user, password)
    user.set_password(password)
    with transaction.atomic():
        user._change_reason = "account_password_change"
        user.save()
        keep = request.session.session_key if request is not None else None
        sessions_end(user=user, keep_session_key=keep)
    if request is not None:
        update_session_auth_hash(request, user)
    return user


# --- Sessions -----------------------------------------------------------------------------------


def session_record(*, user: Any, session_key: str | None) -> None:
    """Remember that ``user`` signed in with this session (called when they sign in)."""
    if not session_key or user is None or user.pk is None:
        return
    SessionRecord.objects.update_or_create(session_key=session_key, defaults={"user": user})
    # Sessions older than the longest a session can live have expired: forget their keys.
    expired = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    SessionRecord.objects.filter(user=user, created_at__lt=expired).delete()


def sessions_end(*, user: Any, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` but ``keep_session_key``; returns how many were ended.

    Works with any session engine: each recorded key is deleted through the engine's own store.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    records = SessionRecord.objects.filter(user=user)
    if keep_session_key:
        records = records.exclude(session_key=keep_session_key)
    keys = list(records.values_list("session_key", flat=True))
    for key in keys:
        store_class(session_key=key).delete()
    SessionRecord.objects.filter(session_key__in=keys).delete()
    return len(keys)


# --- Sign-in locks ------------------------------------------------------------------------------


def login_lock_lift(*, actor: Any, attempt_id: int) -> int:
    """Lift the lock of one username/address pair (after checking who is asking, by phone or in
    person); returns how many attempt records were cleared."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    if not can_lift_login_locks(actor):
        raise PermissionDenied(_("Only housing bureau staff can lift sign-in locks."))
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise ValidationError(_("This lock has already been lifted or has expired."))
    with transaction.atomic():
        return reset(ip=attempt.ip_address, username=attempt.username)
