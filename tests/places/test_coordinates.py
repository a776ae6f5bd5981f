"""WGS-84 → GCJ-02, the one conversion the maps make (renovation/places/coordinates.py)."""

from decimal import Decimal

import pytest

from renovation.places.coordinates import GCJ02, WGS84, for_tiles, wgs84_to_gcj02

# Reference pairs (WGS-84 lat, lng → GCJ-02 lat, lng) published with the eviltransform library's
# tests (github.com/googollee/eviltransform), which every Chinese map SDK's output matches.
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_it_shifts_points_in_china_as_the_reference_does(wgs, gcj):
    lat, lng = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lng == pytest.approx(gcj[1], abs=1e-9)


def test_it_leaves_points_outside_china_alone():
    assert wgs84_to_gcj02(51.4779, -0.0015) == (51.4779, -0.0015)  # Greenwich


def test_it_hands_wgs84_tiles_the_stored_point_unchanged():
    assert for_tiles(Decimal("27.781234"), Decimal("120.654321"), datum=WGS84) == [27.781234, 120.654321]


def test_it_hands_gcj02_tiles_the_shifted_point():
    lat, lng = for_tiles(Decimal("31.1774276"), Decimal("121.5272106"), datum=GCJ02)
    assert (lat, lng) == (round(31.17530398364597, 6), round(121.531541859215, 6))


def test_it_rounds_to_the_places_asked():
    assert for_tiles(Decimal("27.781234"), Decimal("120.654321"), datum=WGS84, places=4) == [27.7812, 120.6543]
