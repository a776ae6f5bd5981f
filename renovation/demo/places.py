"""Where the demo's estates are: plausible WGS-84 positions in 瑞安 (Ruian, Zhejiang), around
the centre of each of its three streets. Derived from the estate's name, not the demo's random
generator, so adding positions changed none of the demo's other draws."""

from __future__ import annotations

import zlib
from decimal import Decimal

# Approximate centres (WGS-84) of the streets' built-up areas in Ruian's old town.
STREET_CENTRES = {
    "anyang": (Decimal("27.783000"), Decimal("120.642000")),
    "yuhai": (Decimal("27.778000"), Decimal("120.658000")),
    "jinhu": (Decimal("27.772000"), Decimal("120.676000")),
}
_SPREAD = 6000  # millionths of a degree either way: about 650 m north–south, 600 m east–west


def estate_position(name: str, street_code: str) -> tuple[Decimal, Decimal]:
    """A fixed position for the estate ``name`` within its street."""
    latitude, longitude = STREET_CENTRES[street_code]
    digest = zlib.crc32(name.encode("utf-8"))
    north = (digest % (2 * _SPREAD + 1)) - _SPREAD
    east = ((digest >> 16) % (2 * _SPREAD + 1)) - _SPREAD
    return latitude + Decimal(north) / 1_000_000, longitude + Decimal(east) / 1_000_000


def issue_position(latitude: Decimal, longitude: Decimal, number: int) -> tuple[Decimal, Decimal]:
    """Where on the estate a demo site issue was reported: within about 80 m of its centre."""
    north = ((number * 37) % 13 - 6) * Decimal("0.00012")
    east = ((number * 53) % 11 - 5) * Decimal("0.00014")
    return latitude + north, longitude + east
