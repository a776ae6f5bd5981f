"""一户一码: issuing household join codes (letters) and joining a household with one.

Codes are shown once, on the letter printed when they are issued; the database keeps a keyed
hash. Issuing again replaces a household's live code (the old one stops working).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from renovation.accounts.permissions import can_manage_street
from renovation.changelog.records import save_recorded
from renovation.places.models import Neighbourhood
from renovation.sms.services import user_phone_opt_in_set, user_phone_set

from .models import Household, HouseholdMember, JoinAttempt, JoinCode

# No 0/O or 1/I: a code read off paper by an elderly resident must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 60 bits


@dataclass(frozen=True)
class IssuedCode:
    household: Household
    code: str
    expires_at: datetime


def join_code_normalise(code: str) -> str:
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def join_code_hash(code: str) -> str:
    return salted_hmac("renovation.consultation.join", join_code_normalise(code), algorithm="sha256").hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _live(queryset: QuerySet[JoinCode], now: datetime) -> QuerySet[JoinCode]:
    return queryset.filter(used_at__isnull=True, revoked_at__isnull=True)


def join_codes_issue(
    *, actor: Any, neighbourhood: Neighbourhood, households: QuerySet[Household] | None = None, only_new: bool = False
) -> list[IssuedCode]:
    """New codes for the neighbourhood's households (or the given subset of them), in address
    order; their earlier codes stop working. ``only_new`` skips households that still hold an
    unexpired code or already link as many accounts as allowed."""
    street_id = neighbourhood.community.street_id
    if not can_manage_street(actor, street_id):
        raise PermissionDenied(_("You may only print letters for households in your own street."))
    now = timezone.now()
    queryset = (households if households is not None else Household.objects.all()).filter(neighbourhood=neighbourhood)
    if only_new:
        queryset = queryset.exclude(
            pk__in=_live(JoinCode.objects, now).filter(expires_at__gt=now).values("household_id")
        )
    chosen = list(queryset.order_by("building", "unit", "room").prefetch_related("members"))
    if only_new:
        chosen = [household for household in chosen if household_account_count(household) < _max_accounts()]
    if not chosen:
        raise ValidationError(_("No household to print a letter for: check the register or the choice."))
    expires_at = now + timedelta(days=settings.JOIN_CODE_VALID_DAYS)
    issued = [IssuedCode(household=household, code=_new_code(), expires_at=expires_at) for household in chosen]
    with transaction.atomic():
        old = list(_live(JoinCode.objects, now).filter(household__in=chosen))
        for row in old:
            row.revoked_at = now
            row._change_reason = "join_code_replace"
        if old:
            bulk_update_with_history(
                old, JoinCode, ["revoked_at"], default_user=actor, default_change_reason="join_code_replace"
            )
        bulk_create_with_history(
            [
                JoinCode(
                    household=item.household,
                    code_hash=join_code_hash(item.code),
                    issued_at=now,
                    issued_by=actor,
                    expires_at=expires_at,
                )
                for item in issued
            ],
            JoinCode,
            default_user=actor,
            default_change_reason="join_code_issue",
        )
    return issued


def _max_accounts() -> int:
    return settings.HOUSEHOLD_MAX_ACCOUNTS


def household_account_count(household: Household) -> int:
    """Accounts that speak for the household: staff's hand link and those who joined."""
    users = {member.user_id for member in household.members.all()}
    if household.resident_id:
        users.add(household.resident_id)
    return len(users)


def _attempt_failed(ip: str | None) -> None:
    JoinAttempt.objects.create(ip=ip or None)


def join_code_check(*, code: str, ip: str | None) -> JoinCode:
    """The live join code typed in, or a clear refusal. Failed entries are counted per address
    and too many within the hour refuse every entry from there."""
    now = timezone.now()
    if ip and (
        JoinAttempt.objects.filter(ip=ip, at__gte=now - timedelta(hours=1)).count()
        >= settings.JOIN_CODE_FAILURES_PER_IP_PER_HOUR
    ):
        raise ValidationError(_("Too many wrong household codes from this network. Try again in an hour."), code="rate")
    row = None
    if join_code_normalise(code):
        row = (
            JoinCode.objects.select_related("household__neighbourhood")
            .prefetch_related("household__members")
            .filter(code_hash=join_code_hash(code))
            .first()
        )
    problem = None
    if row is None:
        problem = ValidationError(
            _("This household code is not known. Check the letter and type it again."), code="unknown"
        )
    elif row.used_at is not None:
        problem = ValidationError(
            _("This household code has already been used. Ask your street office for a new letter."), code="used"
        )
    elif row.revoked_at is not None:
        problem = ValidationError(
            _("This household code was replaced by a newer letter. Use the newest one."), code="replaced"
        )
    elif row.expires_at <= now:
        problem = ValidationError(
            _("This household code has expired. Ask your street office for a new letter."), code="expired"
        )
    if problem is not None:
        _attempt_failed(ip)
        raise problem
    if household_account_count(row.household) >= _max_accounts():
        raise ValidationError(
            _("This household already has %(count)s accounts, the most allowed. Ask your street office.")
            % {"count": _max_accounts()},
            code="full",
        )
    return row


def _new_username() -> str:
    User = get_user_model()
    while True:
        username = f"jm{secrets.randbelow(10**8):08d}"
        if not User.objects.filter(username=username).exists():
            return username


def resident_join(
    *,
    join_code: JoinCode,
    number: str,
    password: str,
    consent_version: str,
    consented_at: datetime,
    sms_opt_in: bool = False,
) -> Any:
    """Create the resident's account, linked to the code's household. Call only after the
    number was verified with an SMS code (``renovation.sms.codes.phone_code_verify``)."""
    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        code = JoinCode.objects.select_for_update().get(pk=join_code.pk)
        household = Household.objects.select_for_update().get(pk=code.household_id)
        if code.used_at is not None or code.revoked_at is not None or code.expires_at <= now:
            raise ValidationError(_("This household code no longer works. Ask your street office for a new letter."))
        if household_account_count(household) >= _max_accounts():
            raise ValidationError(
                _("This household already has %(count)s accounts, the most allowed. Ask your street office.")
                % {"count": _max_accounts()}
            )
        user = User(username=_new_username())
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password1": error.messages}) from error
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        user_phone_set(user=user, number=number)
        if sms_opt_in:
            user_phone_opt_in_set(user=user, opt_in=True)
        member = HouseholdMember(
            household=household,
            user=user,
            joined_at=now,
            join_code=code,
            consent_at=consented_at,
            consent_version=consent_version,
        )
        save_recorded(member, actor=user, reason="resident_join")
        code.used_at = now
        code.used_by = user
        save_recorded(code, actor=user, reason="resident_join")
        if household.resident_id is None:
            # The first account to join is the household's linked resident, as if staff linked it.
            household.resident = user
            save_recorded(household, actor=user, reason="resident_join")
    return user


def is_household_member(user: Any, household: Household) -> bool:
    return HouseholdMember.objects.filter(user=user, household=household).exists()


def households_of(user: Any) -> QuerySet[Household]:
    """Households this account speaks for: linked by staff or joined with a code."""
    return Household.objects.filter(Q(resident=user) | Q(members__user=user)).distinct()
