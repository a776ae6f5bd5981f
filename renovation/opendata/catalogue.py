"""The catalogue of every published dataset (/open-data/): what it holds, where to fetch it, in
which standard, how often it changes, under which licence. The page renders this list; a test
fetches every address on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renovation.licence import licence_name, licence_url

from . import bulk

OCDS_SCHEMA = "https://standard.open-contracting.org/1.1/en/schema/release_package/"
OCDS_BIDS_EXTENSION = "https://extensions.open-contracting.org/en/extensions/bids/v1.1.5/"
OC4IDS_SCHEMA = "https://standard.open-contracting.org/infrastructure/0.9/en/reference/schema/"
OPEN311_SPEC = "https://wiki.open311.org/GeoReport_v2/"
ATOM_SPEC = "https://www.rfc-editor.org/rfc/rfc4287"
CSV_SPEC = "https://www.rfc-editor.org/rfc/rfc4180"

# Addresses served by the REST API and Open311 apps.
API_ROOT = "/api/v1/"
API_SCHEMA = "/api/v1/schema/"
API_DOCS = "/api/v1/schema/redoc/"  # the interactive reference; /api/v1/ is the documentation page
OPEN311_DISCOVERY = "/open311/v2/discovery.json"


@dataclass(frozen=True)
class Link:
    label: Promise | str
    url: str  # for a pattern: one real example, or empty while there is no record of that kind
    pattern: bool = False  # the label is an address pattern such as /projects/<address>/feed/


@dataclass(frozen=True)
class CatalogueEntry:
    key: str
    title: Promise
    description: Promise
    standard: Promise | str
    frequency: Promise
    links: list[Link]
    schema: list[Link]
    columns: list[str] = field(default_factory=list)


def entries(examples: dict[str, str]) -> list[CatalogueEntry]:
    """``examples``: a real address for each pattern (a tender, a project, a street), or none."""
    datasets = [
        CatalogueEntry(
            key="ocds",
            title=_("Tenders, awards, contracts and payments (OCDS)"),
            description=_(
                "Every public step of every tender as an Open Contracting Data Standard release: announcement, "
                "bids after the opening (never before), winner candidate, award, contract, change orders and "
                "payments. Identifiers: ocid = prefix + tender number."
            ),
            standard="OCDS 1.1 + bids extension v1.1.5",
            frequency=_("At each event: a release is added when the step happens; never edited afterwards."),
            links=[
                Link(_('all releases, 500 per page (Link: rel="next")'), reverse("tendering:ocds_all")),
                Link("/tenders/<id>/ocds.json", examples.get("tender_ocds", ""), pattern=True),
                Link(_("publication policy"), reverse("tendering:open_data_policy")),
            ],
            schema=[Link(_("release package schema"), OCDS_SCHEMA), Link(_("bids extension"), OCDS_BIDS_EXTENSION)],
        ),
        CatalogueEntry(
            key="oc4ids",
            title=_("Renovation projects (OC4IDS)"),
            description=_(
                "Every project as an Open Contracting for Infrastructure Data Standards project: status, "
                "budget by source, location (the estate, never a household), public bodies and companies, "
                "planned and actual dates, confirmed progress, and each contracting process linked to its "
                "OCDS releases by ocid."
            ),
            standard="OC4IDS 0.9",
            frequency=_("Live: built from the current records on each request."),
            links=[
                Link(_('all projects, 100 per page (Link: rel="next")'), reverse("opendata:projects_oc4ids")),
                Link("/projects/<address>/oc4ids.json", examples.get("project_oc4ids", ""), pattern=True),
            ],
            schema=[Link(_("project package schema"), OC4IDS_SCHEMA)],
        ),
        CatalogueEntry(
            key="open311",
            title=_("Site issues (Open311 GeoReport v2)"),
            description=_("Site issues that staff have accepted, with their status; the reporter is never named."),
            standard="Open311 GeoReport v2",
            frequency=_("Live: built from the current records on each request."),
            links=[Link(_("discovery"), OPEN311_DISCOVERY)],
            schema=[Link(_("GeoReport v2 specification"), OPEN311_SPEC)],
        ),
        CatalogueEntry(
            key="api",
            title=_("REST API (read only)"),
            description=_("Projects, work items, progress, tenders and money as JSON, with an OpenAPI schema."),
            standard="OpenAPI 3",
            frequency=_("Live: built from the current records on each request."),
            links=[Link(_("API root"), API_ROOT), Link(_("interactive documentation"), API_DOCS)],
            schema=[Link(_("OpenAPI schema"), API_SCHEMA)],
        ),
        CatalogueEntry(
            key="feeds",
            title=_("Atom feeds"),
            description=_(
                "Follow a project (confirmed progress, notices, change log), the tenders (announcements, "
                "results, failures) or a street (its progress and tenders). Entries are dated by the day "
                "the event happened."
            ),
            standard="Atom (RFC 4287)",
            frequency=_("At each event."),
            links=[
                Link(_("tenders"), reverse("opendata:tender_feed")),
                Link("/projects/<address>/feed/", examples.get("project_feed", ""), pattern=True),
                Link("/streets/<code>/feed/", examples.get("street_feed", ""), pattern=True),
            ],
            schema=[Link("RFC 4287", ATOM_SPEC)],
        ),
    ]
    frequencies = {
        "projects": _("Live: built from the current records on each download."),
        "tenders": _("Live: each tender as its latest OCDS release has it."),
        "disclosures": _("Quarterly: a row per project once its quarter is disclosed; never changed afterwards."),
    }
    for slug, dataset in bulk.DATASETS.items():
        datasets.append(
            CatalogueEntry(
                key=f"bulk-{slug}",
                title=dataset.title,
                description=_(
                    "One row per record. The CSV comes in pages of %(size)d rows in a stable order, each "
                    "a whole CSV file with its header that names the next page in its Link header "
                    '(rel="next"); it is UTF-8 with a byte-order mark. The Excel workbook holds the whole '
                    "dataset in one file."
                )
                % {"size": bulk.CSV_PAGE_SIZE},
                standard=_("CSV and Excel (xlsx)"),
                frequency=frequencies[slug],
                links=[
                    Link(
                        _('CSV, %(size)d rows per page (Link: rel="next")') % {"size": bulk.CSV_PAGE_SIZE},
                        reverse("opendata:bulk_csv", args=[slug]),
                    ),
                    Link("Excel (xlsx)", reverse("opendata:bulk_xlsx", args=[slug])),
                ],
                schema=[Link("RFC 4180", CSV_SPEC)],
                columns=dataset.headers(),
            )
        )
    return datasets


def catalogue_context(examples: dict[str, str]) -> dict[str, Any]:
    return {"datasets": entries(examples), "licence_url": licence_url(), "licence_name": licence_name()}
