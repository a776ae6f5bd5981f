"""The public maps' tile settings, checked at start-up, and the image hosts they add to the CSP."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# 天地图 (the national platform, tianditu.gov.cn): vector base map and its Chinese labels in Web
# Mercator ("_w"), served from t0…t7; {tk} is the site's browser key (MAP_TILE_KEY).
TIANDITU_VECTOR = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
)
TIANDITU_LABELS = (
    "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
)
TIANDITU_SUBDOMAINS = "01234567"
MAP_DATUMS = ("wgs84", "gcj02")


def map_datum(name: str, value: str) -> str:
    """The datum the tiles are drawn in: 'wgs84' (天地图, OpenStreetMap) or 'gcj02' (高德, 腾讯)."""
    datum = value.strip().lower()
    if datum not in MAP_DATUMS:
        raise ImproperlyConfigured(f"{name}={value!r}: use one of {', '.join(MAP_DATUMS)}.")
    return datum


def tile_sources(urls: list[str], subdomains: str) -> list[str]:
    """The origins the browser fetches tiles from, for img-src: each URL's scheme and host, with
    {s} spelled out for every subdomain. A URL that is not http(s) with a host fails start-up."""
    sources: list[str] = []
    for url in urls:
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(f"Map tile URL {url!r} must start with https:// and name a host.")
        if "{s}" in parts.netloc and not subdomains:
            raise ImproperlyConfigured(f"Map tile URL {url!r} has {{s}} in its host: set MAP_TILE_SUBDOMAINS.")
        hosts = [parts.netloc.replace("{s}", s) for s in subdomains] if "{s}" in parts.netloc else [parts.netloc]
        for host in hosts:
            if "{" in host:
                raise ImproperlyConfigured(f"Map tile URL {url!r}: only {{s}} may stand in the host name.")
            source = f"{parts.scheme}://{host}"
            if source not in sources:
                sources.append(source)
    return sources
