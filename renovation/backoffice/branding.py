"""The admin speaks for the bureau: its name and emblem instead of Wagtail's bird (issue 15).

``BUREAU_NAME`` and ``BUREAU_LOGO`` (a static path or an absolute URL) are settings, so each city
deploys its own; the templates under ``backoffice/templates/wagtailadmin`` read them from here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.templatetags.static import static


def bureau_logo_url() -> str:
    return _logo_url(settings.BUREAU_LOGO, settings.STATIC_URL)


# Every page's frame shows the emblem: its static path is found once per process (per setting).
@lru_cache(maxsize=8)
def _logo_url(logo: str, static_url: str) -> str:
    return logo if logo.startswith(("https://", "http://", "/")) else static(logo)


def branding(request: Any) -> dict[str, str]:
    """Context processor: who publishes the site (bureau, emblem, hotline, ICP filing) for every template."""
    return {
        "bureau_name": settings.BUREAU_NAME,
        "bureau_logo_url": bureau_logo_url(),
        "site_title": settings.WAGTAIL_SITE_NAME,
        "supervision_hotline": settings.SUPERVISION_HOTLINE,
        # The site's record at the MIIT filing system (ICP备案号), which every site in China must show.
        "icp_number": settings.ICP_NUMBER,
    }
