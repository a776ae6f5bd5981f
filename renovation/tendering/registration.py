"""Bidding companies sign themselves up, and staff review their qualifications before they bid.

A company registers without an account: one form creates the account (its mobile number verified
by an SMS code) and the company, in one transaction. The company starts as "waiting for review";
staff read its qualification documents and approve it, or reject it with a reason. Only an
approved company may submit bids (bidding.bid_submit asks ``Bidder.may_bid``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.changelog.records import apply_changes, save_recorded
from renovation.notifications.services import notify
from renovation.sms.codes import phone_code_send, phone_code_verify
from renovation.sms.models import CodePurpose
from renovation.sms.services import user_phone_set

from .codes import normalise_uscc
from .models import Bidder, BidderReview

SMS_PURPOSE = CodePurpose.BIDDER_REGISTER


def bidder_sign_up_code_send(*, mobile: str, ip: str | None) -> None:
    """Send the 6-digit code that proves the contact person holds this mobile number."""
    phone_code_send(number=mobile, purpose=SMS_PURPOSE, ip=ip)


def _check_new_company(data: Mapping[str, Any]) -> tuple[Bidder, Any]:
    """Everything about the company and its account that can be refused before the SMS code is
    spent: a bad or registered credit code, a taken account name, a weak password."""
    User = get_user_model()
    uscc = normalise_uscc(data.get("uscc", ""))
    bidder = Bidder(review_status=BidderReview.PENDING)
    apply_changes(
        bidder,
        {
            "name": (data.get("name") or "").strip(),
            "uscc": uscc,
            "contact_name": (data.get("contact_name") or "").strip(),
            "contact_phone": (data.get("mobile") or "").strip(),
            "address": (data.get("address") or "").strip(),
        },
        ("name", "uscc", "contact_name", "contact_phone", "address"),
    )
    try:
        bidder.full_clean(exclude=["review_status"])
    except ValidationError as error:
        if "contact_phone" in getattr(error, "error_dict", {}):
            error.error_dict["mobile"] = error.error_dict.pop("contact_phone")
        raise
    # The company signs in with its credit code as the account name.
    user = User(username=uscc, first_name=bidder.contact_name[:150], email=(data.get("email") or "").strip())
    if User.objects.filter(username=uscc).exists():
        raise ValidationError({"uscc": _("A company with this unified social credit code is already registered.")})
    password = data.get("password") or ""
    if not password:
        raise ValidationError({"password": _("Choose a password for the company's account.")})
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean(exclude=["password"])
    return bidder, user


def bidder_sign_up(*, data: Mapping[str, Any], sms_code: str) -> Bidder:
    """Create the company's account and the company (waiting for review) in one step.

    Nothing is saved unless every check passes and the SMS code sent to the mobile number is right.
    The code is checked after the other checks and outside the transaction, so a wrong code is
    counted (five wrong entries void it) even though nothing else is written.
    """
    bidder, user = _check_new_company(data)
    phone_code_verify(number=bidder.contact_phone, purpose=SMS_PURPOSE, code=(sms_code or "").strip())
    with transaction.atomic():
        # Checked again inside the transaction: another request may have taken the code meanwhile.
        if get_user_model().objects.filter(username=user.username).exists():
            raise ValidationError({"uscc": _("A company with this unified social credit code is already registered.")})
        user._change_reason = "bidder_sign_up"
        user.save()
        save_recorded(bidder, actor=user, reason="bidder_sign_up")
        bidder.accounts.add(user)
        _mobile_record(user, bidder.contact_phone)
        notify(
            recipients=_reviewers(),
            title=_("A company waits for qualification review: %(name)s") % {"name": bidder.name},
            url=reverse("bidder_review", args=[bidder.pk]),
        )
    return bidder


def _mobile_record(user: Any, mobile: str) -> None:
    """Link the verified mobile number to the new account (one number, one account)."""
    try:
        user_phone_set(user=user, number=mobile)
    except ValidationError as error:
        raise ValidationError({"mobile": error.messages}) from error


def _reviewers() -> list[Any]:
    from renovation.accounts.models import StaffProfile, StaffRole

    return [p.user for p in StaffProfile.objects.filter(role=StaffRole.BUREAU).select_related("user")]


def bidder_review(*, actor: Any, bidder: Bidder, decision: str, reason: str = "") -> Bidder:
    """Approve a company to bid, or reject it with a reason (it may upload more documents and be
    reviewed again). The decision, the reviewer and the reason stay in the company's history."""
    if not is_staff_member(actor):
        raise PermissionDenied(_("Only street or housing bureau staff review bidding companies."))
    if decision not in {BidderReview.APPROVED, BidderReview.REJECTED, BidderReview.PENDING}:
        raise ValidationError({"decision": _("Choose approve or reject.")})
    reason = (reason or "").strip()
    if decision == BidderReview.REJECTED and not reason:
        raise ValidationError({"reason": _("Say why the company is rejected; the company will read it.")})
    with transaction.atomic():
        locked = Bidder.objects.select_for_update().get(pk=bidder.pk)
        locked.review_status = decision
        locked.review_reason = reason if decision == BidderReview.REJECTED else ""
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        save_recorded(locked, actor=actor, reason=f"bidder_review_{decision}")
        if decision == BidderReview.APPROVED:
            title = _("Your company is approved to bid: %(name)s") % {"name": locked.name}
        elif decision == BidderReview.REJECTED:
            title = _("Your company's qualification review was not passed: %(name)s") % {"name": locked.name}
        else:
            title = _("Your company's qualification review was reopened: %(name)s") % {"name": locked.name}
        notify(
            recipients=locked.accounts.all(),
            title=title,
            body=locked.review_reason,
            url=reverse("tendering:bidder_mine"),
        )
    return locked
