"""The map tile settings: strict at start-up, and their hosts allowed for images by the CSP."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from renovation.settings.maps import TIANDITU_SUBDOMAINS, TIANDITU_VECTOR, map_datum, tile_sources


def test_it_spells_out_every_subdomain_of_the_tile_host():
    assert tile_sources([TIANDITU_VECTOR], TIANDITU_SUBDOMAINS) == [f"https://t{n}.tianditu.gov.cn" for n in range(8)]


def test_it_lists_each_origin_once_and_skips_an_empty_url():
    urls = ["https://tiles.example.cn/{z}/{x}/{y}.png", "", "https://tiles.example.cn/labels/{z}/{x}/{y}.png"]
    assert tile_sources(urls, "") == ["https://tiles.example.cn"]


@pytest.mark.parametrize("url", ["tiles.example.cn/{z}/{x}/{y}.png", "ftp://example.cn/{z}", "https://{z}.example.cn/"])
def test_it_refuses_a_tile_url_that_is_not_a_web_address(url):
    with pytest.raises(ImproperlyConfigured):
        tile_sources([url], "abc")


def test_it_refuses_a_subdomain_placeholder_without_subdomains():
    with pytest.raises(ImproperlyConfigured):
        tile_sources(["https://t{s}.example.cn/{z}/{x}/{y}"], "")


def test_it_accepts_the_two_datums_and_nothing_else():
    assert map_datum("MAP_TILE_CRS", " GCJ02 ") == "gcj02"
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_CRS"):
        map_datum("MAP_TILE_CRS", "bd09")


def test_it_allows_the_default_tile_hosts_in_img_src_only():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert "https://t0.tianditu.gov.cn" in directives["img-src"]
    assert "https://t0.tianditu.gov.cn" not in directives["script-src"]
    assert "https://t0.tianditu.gov.cn" not in directives["connect-src"]
