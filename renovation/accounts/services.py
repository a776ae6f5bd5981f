"""Role set-up and staff accounts."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from renovation.places.models import Street

from .models import StaffProfile, StaffRole

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
    with transaction.atomic():
        for group_name, apps in _ROLE_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=group_name)
            wanted = [
                ("wagtailadmin", "access_admin"),
                *[
                    (app_label, f"{action}_{model}")
                    for app_label, models in apps.items()
                    for model, actions in models.items()
                    for action in actions
                ],
            ]
            permissions = []
            for app_label, codename in wanted:
                permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                if permission is not None:
                    permissions.append(permission)
            group.permissions.set(permissions)
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
    user.first_name = (full_name or "").strip()[:150]
    user.email = (email or "").strip()
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
