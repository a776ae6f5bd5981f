"""Domain operations on streets, communities and neighbourhoods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail import hooks

from renovation.accounts.permissions import can_manage_street, can_manage_streets
from renovation.changelog.records import apply_changes, save_recorded
from renovation.public.cache import Change, pages_changed

from .models import Community, Neighbourhood, Street

STREET_FIELDS = ("name", "code", "sort_order")
COMMUNITY_FIELDS = ("street", "name")
NEIGHBOURHOOD_FIELDS = (
    "community",
    "name",
    "address",
    "built_year",
    "building_count",
    "household_count",
    "floor_area",
    "management_type",
    # The estate's centre on the public maps, WGS-84 (renovation/places/coordinates.py).
    "latitude",
    "longitude",
)

# Wagtail hook called inside the transaction when a place's name (or where it belongs) changed:
# ``fn(place=Street | Community | Neighbourhood)``. The public site re-indexes the project pages
# whose search text names the place (cms registers it; places imports no cms).
PLACE_RENAMED_HOOK = "place_renamed"
# The fields that the project pages' search text reads, per place.
NAMED_FIELDS = {"name", "community", "street"}


def _renamed(place: Street | Community | Neighbourhood, changed: list[str]) -> None:
    if NAMED_FIELDS.intersection(changed):
        for listener in hooks.get_hooks(PLACE_RENAMED_HOOK):
            listener(place=place)


def _require_streets_permission(actor: Any) -> None:
    if not can_manage_streets(actor):
        raise PermissionDenied(_("Only housing bureau staff may create or change streets."))


def _require_street(actor: Any, street: Street | None) -> None:
    if street is None or not can_manage_street(actor, street):
        raise PermissionDenied(_("You may only manage places in your own street."))


def street_create(*, actor: Any, data: Mapping[str, Any]) -> Street:
    _require_streets_permission(actor)
    street = Street()
    apply_changes(street, data, STREET_FIELDS)
    with transaction.atomic():
        save_recorded(street, actor=actor, reason="street_create")
        pages_changed(Change.PLACE)
    return street


def street_update(*, actor: Any, street: Street, data: Mapping[str, Any]) -> Street:
    _require_streets_permission(actor)
    changed = apply_changes(street, data, STREET_FIELDS)
    with transaction.atomic():
        save_recorded(street, actor=actor, reason="street_update")
        pages_changed(Change.PLACE)
        _renamed(street, changed)
    return street


def community_create(*, actor: Any, data: Mapping[str, Any]) -> Community:
    community = Community()
    apply_changes(community, data, COMMUNITY_FIELDS)
    _require_street(actor, community.street if community.street_id else None)
    with transaction.atomic():
        save_recorded(community, actor=actor, reason="community_create")
        pages_changed(Change.PLACE)
    return community


def community_update(*, actor: Any, community: Community, data: Mapping[str, Any]) -> Community:
    _require_street(actor, community.street)
    changed = apply_changes(community, data, COMMUNITY_FIELDS)
    _require_street(actor, community.street)
    with transaction.atomic():
        save_recorded(community, actor=actor, reason="community_update")
        pages_changed(Change.PLACE)
        _renamed(community, changed)
    return community


def neighbourhood_create(*, actor: Any, data: Mapping[str, Any]) -> Neighbourhood:
    neighbourhood = Neighbourhood()
    apply_changes(neighbourhood, data, NEIGHBOURHOOD_FIELDS)
    _require_street(actor, neighbourhood.community.street if neighbourhood.community_id else None)
    with transaction.atomic():
        save_recorded(neighbourhood, actor=actor, reason="neighbourhood_create")
        pages_changed(Change.PLACE)
    return neighbourhood


def neighbourhood_update(*, actor: Any, neighbourhood: Neighbourhood, data: Mapping[str, Any]) -> Neighbourhood:
    _require_street(actor, neighbourhood.community.street)
    changed = apply_changes(neighbourhood, data, NEIGHBOURHOOD_FIELDS)
    _require_street(actor, neighbourhood.community.street)
    with transaction.atomic():
        save_recorded(neighbourhood, actor=actor, reason="neighbourhood_update")
        pages_changed(Change.PLACE)
        _renamed(neighbourhood, changed)
    return neighbourhood
