"""Coordinates on the public maps: stored in WGS-84, drawn in the tile service's datum.

Everything we store is WGS-84: phones' GPS positions (site issues) and the estates' centres staff
enter. 天地图 draws in CGCS2000, which differs from WGS-84 by centimetres, so its tiles take them
as they are. Tile services licensed in mainland China otherwise (高德/AutoNavi, 腾讯) draw in
GCJ-02, the state's obfuscated datum: a point there must be shifted by the published formula or
it lands 100–700 m off. This module is the one place that shift is made (pages send the browser
coordinates already in the tiles' datum; the JavaScript converts nothing).
"""

from __future__ import annotations

import math
from decimal import Decimal

# A box around China (mainland, Hainan and the South China Sea islands): what staff may enter.
CHINA_LATITUDE = (Decimal("3.8"), Decimal("53.6"))
CHINA_LONGITUDE = (Decimal("73.5"), Decimal("135.1"))

WGS84 = "wgs84"
GCJ02 = "gcj02"
DATUMS = (WGS84, GCJ02)

# The Krasovsky 1940 ellipsoid the GCJ-02 formula is defined on.
_SEMI_MAJOR_AXIS = 6378245.0
_ECCENTRICITY_SQUARED = 0.00669342162296594323


def _outside_gcj02_area(latitude: float, longitude: float) -> bool:
    """The formula applies only inside the rough box it was published for; elsewhere GCJ-02 = WGS-84."""
    return not (0.8293 <= latitude <= 55.8271 and 72.004 <= longitude <= 137.8347)


def _shift(x: float, y: float) -> tuple[float, float]:
    """The published offset polynomials, in metres on the ellipsoid, for x = lng − 105, y = lat − 35."""
    waves = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + waves
    north += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    north += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + waves
    east += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    east += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return north, east


def wgs84_to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    """A WGS-84 point as GCJ-02 (accurate to the formula, i.e. exactly what 高德/腾讯 tiles expect)."""
    if _outside_gcj02_area(latitude, longitude):
        return latitude, longitude
    north, east = _shift(longitude - 105.0, latitude - 35.0)
    radians = latitude / 180.0 * math.pi
    magic = 1 - _ECCENTRICITY_SQUARED * math.sin(radians) ** 2
    root = math.sqrt(magic)
    north = (north * 180.0) / ((_SEMI_MAJOR_AXIS * (1 - _ECCENTRICITY_SQUARED)) / (magic * root) * math.pi)
    east = (east * 180.0) / (_SEMI_MAJOR_AXIS / root * math.cos(radians) * math.pi)
    return latitude + north, longitude + east


def for_tiles(latitude: Decimal | float, longitude: Decimal | float, *, datum: str, places: int = 6) -> list[float]:
    """A stored WGS-84 point as [lat, lng] in the datum the tiles are drawn in, rounded to ``places``
    decimals (6 ≈ 0.1 m; public site issues use fewer, see renovation/places/maps.py)."""
    lat, lng = float(latitude), float(longitude)
    if datum == GCJ02:
        lat, lng = wgs84_to_gcj02(lat, lng)
    return [round(lat, places), round(lng, places)]
