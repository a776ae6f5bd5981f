"""Who may do what in the tendering channel. Services and views ask these functions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from renovation.accounts.permissions import can_manage_street, is_staff_member

from .models import Bidder, Tender


def street_of_tender(tender: Tender) -> Any:
    return tender.project.neighbourhood.community.street


def can_manage_tender(user: Any, tender: Tender) -> bool:
    """The project's street office runs its tenders; bureau staff may act for any street."""
    return can_manage_street(user, street_of_tender(tender))


def require_tender_manager(user: Any, tender: Tender) -> None:
    if not can_manage_tender(user, tender):
        raise PermissionDenied(_("Only the street office of this project (or the housing bureau) runs its tenders."))


def acts_for_bidder(user: Any, bidder: Bidder) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bidder.accounts.filter(pk=user.pk).exists()


def require_bidder_account(user: Any, bidder: Bidder) -> None:
    if not acts_for_bidder(user, bidder):
        raise PermissionDenied(_("You do not act for this company."))


def may_bid(user: Any) -> bool:
    """Staff run tenders and may not bid in them."""
    return getattr(user, "is_authenticated", False) and user.is_active and not is_staff_member(user)
