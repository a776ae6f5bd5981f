"""Issuing, revoking and recognising API keys. Bureau staff issue and revoke them in the admin."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau
from renovation.changelog.records import save_recorded

from .models import ApiKey, RateTier

KEY_PREFIX = "rk_"
# Recording every call would turn each GET into a write; the day of last use is what staff need.
LAST_USED_GRANULARITY = timedelta(minutes=10)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    raw: str  # shown once, never stored


def key_digest(raw: str) -> str:
    """Keys carry 240 random bits, so a plain SHA-256 cannot be reversed by guessing."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _require_bureau(actor: Any) -> None:
    if not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff may issue or revoke API keys."))


def api_key_issue(
    *, actor: Any, name: str, organisation: str, tier: str = RateTier.STANDARD, user: Any = None
) -> IssuedKey:
    """A new key; the raw key is returned once. A key that acts as a user must act as a resident
    supervisor in term (it files site issues in that supervisor's name)."""
    _require_bureau(actor)
    if user is not None and getattr(user, "supervisor", None) is None:
        raise ValidationError({"user": _("A key can act only as a resident supervisor's account.")})
    raw = KEY_PREFIX + secrets.token_urlsafe(30)
    key = ApiKey(
        name=(name or "").strip(),
        organisation=(organisation or "").strip(),
        tier=tier,
        user=user,
        prefix=raw[: len(KEY_PREFIX) + 8],
        digest=key_digest(raw),
        created_by=actor,
    )
    with transaction.atomic():
        save_recorded(key, actor=actor, reason="api_key_issue")
    return IssuedKey(key=key, raw=raw)


def api_key_revoke(*, actor: Any, key: ApiKey) -> ApiKey:
    _require_bureau(actor)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            raise ValidationError(_("This key was already revoked."))
        key.revoked_at = timezone.now()
        key.revoked_by = actor
        save_recorded(key, actor=actor, reason="api_key_revoke")
    return key


def api_key_recognise(raw: str) -> ApiKey | None:
    """The active key with this value, or None; notes when it was last used (coarsely)."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    key = ApiKey.objects.select_related("user").filter(digest=key_digest(raw), revoked_at__isnull=True).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        # Not a domain change: no history row, and no other field is touched.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
