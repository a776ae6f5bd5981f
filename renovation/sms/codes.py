"""One-time codes sent by SMS: 6 digits, valid a few minutes, stored hashed, rate-limited.

Limits are counted from ``PhoneCode`` rows in the database, so they hold across every worker
process and node. Call ``phone_code_verify`` outside any transaction of your own: a wrong entry
must stay counted even when your view then refuses the request.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .message import SmsSendError, mask_number, send_sms
from .models import CodePurpose, PhoneCode

logger = logging.getLogger(__name__)

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def phone_number_normalise(number: str) -> str:
    """'+86 138-1234-1234' → '13812341234'; anything but a mainland mobile number is refused."""
    value = _SEPARATORS.sub("", str(number or ""))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    if not _MAINLAND_MOBILE.match(value):
        raise ValidationError(_("Enter a mainland mobile number of 11 digits, such as 13812345678."), code="number")
    return value


def number_digest(number: str) -> str:
    """A keyed digest: the codes table can count sends per number without holding numbers."""
    return salted_hmac("renovation.sms.number", number).hexdigest()


def _code_hash(*, digest: str, purpose: str, code: str) -> str:
    return salted_hmac("renovation.sms.code", f"{purpose}:{digest}:{code}", algorithm="sha256").hexdigest()


def _serialise_sends(digest: str) -> None:
    """Two simultaneous sends for one number must not both pass the count. SQLite already runs
    writers one at a time (transaction_mode IMMEDIATE); PostgreSQL takes an advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sms:{digest}"])


def phone_code_send(*, number: str, purpose: str, ip: str | None, deliver: bool = True) -> None:
    """Send a fresh code to ``number`` (earlier unused codes for the same purpose stop working).

    ``deliver=False`` records and counts the attempt without sending anything: sign-in and
    password reset use it for numbers that have no account, so neither this answer nor the next
    step's can tell whether a number is registered.
    """
    number = phone_number_normalise(number)
    if purpose not in CodePurpose.values:
        raise ValueError(f"unknown SMS code purpose {purpose!r}")
    digest = number_digest(number)
    now = timezone.now()
    with transaction.atomic():
        _serialise_sends(digest)
        per_number = PhoneCode.objects.filter(number_digest=digest, created_at__gte=now - timedelta(hours=1))
        if per_number.count() >= settings.SMS_SENDS_PER_NUMBER_PER_HOUR:
            logger.info("SMS code refused for %s: hourly limit per number", mask_number(number))
            raise ValidationError(
                _("Too many codes were sent to this number. Try again in an hour."), code="number_rate"
            )
        if ip and (
            PhoneCode.objects.filter(ip=ip, created_at__gte=now - timedelta(days=1)).count()
            >= settings.SMS_SENDS_PER_IP_PER_DAY
        ):
            logger.info("SMS code refused for %s: daily limit per address", mask_number(number))
            raise ValidationError(_("Too many codes were requested from this network today."), code="ip_rate")
        PhoneCode.objects.filter(
            number_digest=digest, purpose=purpose, used_at__isnull=True, voided_at__isnull=True
        ).update(voided_at=now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        row = PhoneCode.objects.create(
            number_digest=digest,
            purpose=purpose,
            ip=ip or None,
            # Undelivered: the hash of a code nobody knows, so the number behaves exactly like a
            # registered one at the next step too (wrong-code count, voiding), telling nothing.
            code_hash=_code_hash(digest=digest, purpose=purpose, code=code if deliver else secrets.token_hex(8)),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.SMS_CODE_VALID_SECONDS),
        )
    if not deliver:
        return
    minutes = max(1, settings.SMS_CODE_VALID_SECONDS // 60)
    text = _("Your verification code is %(code)s, valid for %(minutes)s minutes. Do not tell anyone.") % {
        "code": code,
        "minutes": minutes,
    }
    try:
        send_sms(number=number, text=text, template="code", params={"code": code})
    except SmsSendError as error:
        PhoneCode.objects.filter(pk=row.pk).update(voided_at=timezone.now())
        logger.warning("SMS code to %s not sent: %s", mask_number(number), error)
        raise ValidationError(
            _("The text message could not be sent just now. Please try again in a few minutes."), code="send_failed"
        ) from error
    logger.info("SMS code for %s sent to %s", purpose, mask_number(number))


def phone_code_verify(*, number: str, purpose: str, code: str) -> None:
    """Accept the latest code sent to ``number`` for ``purpose`` and use it up; otherwise raise.

    Each wrong entry is counted; at ``SMS_CODE_MAX_FAILURES`` the code is void for good.
    """
    number = phone_number_normalise(number)
    code = str(code or "").strip()
    digest = number_digest(number)
    now = timezone.now()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(number_digest=digest, purpose=purpose, used_at__isnull=True, voided_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or row.expires_at <= now:
            failure = ValidationError(
                _("This code has expired or was never sent. Request a new code."), code="code_expired"
            )
        elif constant_time_compare(row.code_hash, _code_hash(digest=digest, purpose=purpose, code=code)):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return
        else:
            row.failed_attempts += 1
            left = settings.SMS_CODE_MAX_FAILURES - row.failed_attempts
            if left <= 0:
                row.voided_at = now
                failure = ValidationError(
                    _("Too many wrong codes: this code no longer works. Request a new code."), code="code_voided"
                )
            else:
                failure = ValidationError(
                    _("The code is wrong. %(left)s tries left.") % {"left": left}, code="code_wrong"
                )
            row.save(update_fields=["failed_attempts", "voided_at"])
    logger.info("SMS code for %s refused for %s (%s)", purpose, mask_number(number), failure.code)
    raise failure
