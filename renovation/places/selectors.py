"""Reads of places, scoped to what a user may manage."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from renovation.accounts.permissions import is_bureau, staff_street_id

from .models import Community, Neighbourhood, Street


def communities_manageable_by(user: Any) -> QuerySet[Community]:
    queryset = Community.objects.select_related("street")
    if is_bureau(user):
        return queryset
    return queryset.filter(street_id=staff_street_id(user))


def neighbourhoods_manageable_by(user: Any) -> QuerySet[Neighbourhood]:
    queryset = Neighbourhood.objects.select_related("community__street")
    if is_bureau(user):
        return queryset
    return queryset.filter(community__street_id=staff_street_id(user))


def streets_manageable_by(user: Any) -> QuerySet[Street]:
    queryset = Street.objects.all()
    if is_bureau(user):
        return queryset
    return queryset.filter(pk=staff_street_id(user))
