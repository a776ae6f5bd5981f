"""What the site holds about a resident (个人信息查阅), in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from renovation.consultation.models import Household, HouseholdMember, Intent, Vote
from renovation.discussion.models import Comment
from renovation.sms.models import UserPhone

RECENT_LIMIT = 200


def my_data(user: Any) -> dict[str, Any]:
    households = list(
        Household.objects.filter(resident=user).select_related("neighbourhood")
        | Household.objects.filter(members__user=user).select_related("neighbourhood")
    )
    households = list({household.pk: household for household in households}.values())
    return {
        "account": user,
        "phone": UserPhone.objects.filter(user=user).first(),
        "households": households,
        "memberships": list(HouseholdMember.objects.filter(user=user).select_related("household__neighbourhood")),
        "intents": list(
            Intent.objects.filter(recorded_by=user)
            .select_related("project", "household")
            .order_by("-responded_on")[:RECENT_LIMIT]
        ),
        "votes": list(
            Vote.objects.filter(recorded_by=user)
            .select_related("item", "option", "household")
            .order_by("-cast_on")[:RECENT_LIMIT]
        ),
        "comments": list(
            Comment.objects.filter(author=user).select_related("thread").order_by("-created_at")[:RECENT_LIMIT]
        ),
    }
