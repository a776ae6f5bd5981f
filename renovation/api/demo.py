"""Demo API key: one for a demo resident supervisor, so the Open311 POST can be tried at once.
Issued through the service (shown once, like any key); called by ``seed_demo`` with one line."""

from __future__ import annotations

from typing import Any

from renovation.accounts.models import StaffProfile, StaffRole
from renovation.projects.models import ProjectStatus
from renovation.supervision.models import Supervisor

from .models import ApiKey, RateTier
from .services import api_key_issue, api_key_revoke

DEMO_KEY_NAME = "演示：监督员小程序"


def seed_api_key(*, new_password: Any, account_class: Any) -> list[Any]:
    supervisor = (
        Supervisor.objects.filter(projects__status=ProjectStatus.UNDER_CONSTRUCTION)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    bureau = StaffProfile.objects.filter(role=StaffRole.BUREAU).select_related("user").first()
    if supervisor is None or bureau is None:
        return []
    existing = ApiKey.objects.filter(name=DEMO_KEY_NAME, revoked_at__isnull=True).first()
    # new_password says whether to renew: only for a new key or with --reset-passwords.
    renew = new_password(existing is not None) is not None
    raw = None
    if renew:
        if existing is not None:
            api_key_revoke(actor=bureau.user, key=existing)
        raw = api_key_issue(
            actor=bureau.user, name=DEMO_KEY_NAME, organisation="演示", tier=RateTier.STANDARD, user=supervisor.user
        ).raw
    return [
        account_class(
            username="api-key",
            role="API key (Open311 POST, /api/v1/)",
            street_code=None,
            display_name=f"acts as {supervisor.user.username}",
            password=raw,
            created=existing is None,
        )
    ]
