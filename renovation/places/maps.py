"""What the public maps draw (templates/places/map.html, static/places/map.js).

A map is plain data handed to the page in a json_script element: the tile layer from the settings
(MAP_TILE_*), and points already in the tiles' datum. No tiles (a 天地图 URL and no key) or nothing
to place: no map at all, and the page is the list it always was. The browser hides a map whose
tiles never load (no network) and says so; the list stays.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _

from .coordinates import for_tiles

PROJECT = "project"
ISSUE = "issue"


def tile_layers() -> dict[str, Any] | None:
    """The tile layer(s) the browser loads, or None when there are none to load."""
    url = settings.MAP_TILE_URL
    key = settings.MAP_TILE_KEY
    if not url or ("{tk}" in url and not key):
        return None
    labels = settings.MAP_LABEL_TILE_URL
    if "{tk}" in labels and not key:
        labels = ""
    return {
        "url": url.replace("{tk}", quote(key, safe="")),
        "labels": labels.replace("{tk}", quote(key, safe="")),
        "subdomains": settings.MAP_TILE_SUBDOMAINS,
        # Leaflet writes the attribution as HTML: a setting is text.
        "attribution": escape(settings.MAP_TILE_ATTRIBUTION),
        "maxZoom": settings.MAP_TILE_MAX_ZOOM,
    }


def map_point(
    latitude: Decimal,
    longitude: Decimal,
    *,
    kind: str,
    title: str,
    detail: str = "",
    url: str = "",
    places: int = 6,
) -> dict[str, Any]:
    """One marker: a stored WGS-84 position in the tiles' datum, and the text of its popup."""
    lat, lng = for_tiles(latitude, longitude, datum=settings.MAP_TILE_CRS, places=places)
    return {"lat": lat, "lng": lng, "kind": kind, "title": title, "detail": detail, "url": url}


def place_map(points: list[dict[str, Any]], *, label: str, dom_id: str) -> dict[str, Any] | None:
    """A map for templates/places/map.html, or None (no tiles, or no point to place)."""
    layers = tile_layers()
    if layers is None or not points:
        return None
    return {
        "label": label,
        "dom_id": dom_id,
        "data_id": f"{dom_id}-data",
        "data": {"tiles": layers, "points": points, "linkText": _("Open the project page")},
    }
