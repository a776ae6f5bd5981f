"""The one licence of every published dataset (``OPEN_DATA_LICENCE``): OCDS and OC4IDS packages,
feeds, bulk downloads and the catalogue all read it from here."""

from __future__ import annotations

from django.conf import settings

# Canonical URLs of the licences a bureau is likely to choose, with their short names.
KNOWN_LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://opendatacommons.org/licenses/by/1-0/": "ODC-By 1.0",
    "https://opendatacommons.org/licenses/pddl/1-0/": "ODC PDDL 1.0",
}


def licence_url() -> str:
    return settings.OPEN_DATA_LICENCE


def licence_name() -> str:
    """Its short name where we know it, else the URL itself (never a wrong name)."""
    return KNOWN_LICENCES.get(licence_url(), licence_url())
