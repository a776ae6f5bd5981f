"""Bulk downloads of the public datasets (projects, tenders, quarterly disclosures) as CSV and Excel.

One definition per dataset (its columns and the rows it reads) feeds both formats, so the CSV and
the workbook never disagree. The CSV comes in pages of ``CSV_PAGE_SIZE`` rows in a stable order,
each a whole CSV file with its header, the next page named in a ``Link: rel="next"`` header, so a
request costs the same however many records there are. The workbook is the whole dataset, written
in openpyxl's write-only mode to a spooled file as the rows are read in chunks.
Text cells go through the spreadsheet toolkit's formula-injection guard in both formats. No
column holds personal data: projects carry the ledger's public figures (not the staff-only site
issue counts), tenders what their published OCDS release says (nothing about bids before the
opening), disclosures the frozen quarterly figures.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renovation.finance.models import IncomeSource, QuarterlyDisclosure
from renovation.places.models import ManagementType
from renovation.projects.models import Project, ProjectStatus
from renovation.reports.exports import ISSUE_COUNTS, LEDGER_ORDER, public_project_rows
from renovation.reports.sheets import LEDGER_FIELDS
from renovation.spreadsheets.writer import Column, Kind, ReportWorkbook, safe_text, title_line
from renovation.tendering.models import EvaluationMethod, Tender, TenderRelease, TenderStatus

CHUNK_SIZE = 500


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    fields: tuple[tuple[str, Any, Kind, float], ...]  # key, header (lazy), kind, width
    # The rows from ``start`` to ``stop`` in the dataset's order (None: from the first, to the last).
    rows: Callable[[int | None, int | None], Iterator[dict[str, Any]]]

    def columns(self) -> list[Column]:
        return [Column(str(header), kind, width) for _key, header, kind, width in self.fields]

    def headers(self) -> list[str]:
        return [str(header) for _key, header, _kind, _width in self.fields]

    def values(self, start: int | None = None, stop: int | None = None) -> Iterator[list[Any]]:
        keys = [key for key, *_rest in self.fields]
        for row in self.rows(start, stop):
            yield [row.get(key) for key in keys]


# --- projects: the ledger's public columns -----------------------------------------------------------


def _project_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The project statuses and management types in words, in the active language."""
    statuses = {value: str(label) for value, label in ProjectStatus.choices}
    management = {value: str(label) for value, label in ManagementType.choices}
    return statuses, management


def _project_labelled(row: dict[str, Any], labels: tuple[dict[str, str], dict[str, str]]) -> dict[str, Any]:
    statuses, management = labels
    return {
        **row,
        "status": statuses.get(row["status"], row["status"]),
        "management_type": management.get(row["management_type"], row["management_type"]),
    }


def _project_rows(start: int | None, stop: int | None) -> Iterator[dict[str, Any]]:
    labels = _project_labels()
    projects = Project.objects.all()
    if start is not None or stop is not None:
        projects = Project.objects.filter(pk__in=list(project_order().values_list("pk", flat=True)[start:stop]))
    for row in public_project_rows(projects):
        yield _project_labelled(row, labels)


def project_order() -> QuerySet[Project]:
    """Every project in the order of the ledger and of ``projects.csv``."""
    return Project.objects.order_by(*LEDGER_ORDER, "pk")


PROJECT_FIELDS = tuple(field for field in LEDGER_FIELDS if field[0] not in ISSUE_COUNTS)


# --- tenders: what the latest published OCDS release of each says -------------------------------


def _tender_row(tender: Tender, data: dict[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    section = data.get("tender", {})
    awards = data.get("awards", [])
    award = awards[0] if awards else {}
    contract = (data.get("contracts") or [{}])[0]
    street = tender.project.neighbourhood.community.street
    return {
        "ocid": data.get("ocid", tender.ocid),
        "code": tender.code,
        "title": tender.title,
        "project_code": tender.project.code,
        "project_name": tender.project.name,
        "street": street.name,
        "kind": tender.kind.name,
        "method": labels["method"].get(tender.method, tender.method),
        "ceiling_price": tender.ceiling_price,
        "status": labels["status"].get(tender.status, tender.status),
        "announced_at": tender.announced_at,
        "bid_period_start": tender.bid_period_start,
        "bid_period_end": tender.bid_period_end,
        "opening_at": tender.opening_at,
        # Present only in a release made after the opening: the seal decides, not this file.
        "bids": section.get("numberOfTenderers"),
        "award_status": award.get("status", ""),
        "supplier": "、".join(company["name"] for company in award.get("suppliers", [])),
        "award_amount": Decimal(str(award["value"]["amount"])) if award.get("value") else None,
        "contract_number": contract.get("id", ""),
        "contract_amount": Decimal(str(contract["value"]["amount"])) if contract.get("value") else None,
        "signed_on": date.fromisoformat(contract["dateSigned"][:10]) if contract.get("dateSigned") else None,
    }


def _tender_rows(start: int | None, stop: int | None) -> Iterator[dict[str, Any]]:
    labels = {
        "method": {value: str(label) for value, label in EvaluationMethod.choices},
        "status": {value: str(label) for value, label in TenderStatus.choices},
    }
    tenders = (
        Tender.objects.exclude(status=TenderStatus.DRAFT)
        .select_related("project__neighbourhood__community__street", "kind")
        .order_by("pk")
    )[start:stop]
    chunk: list[Tender] = []
    for tender in tenders.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(tender)
        if len(chunk) == CHUNK_SIZE:
            yield from _with_releases(chunk, labels)
            chunk = []
    if chunk:
        yield from _with_releases(chunk, labels)


def _with_releases(tenders: list[Tender], labels: dict[str, dict[str, str]]) -> Iterator[dict[str, Any]]:
    latest = TenderRelease.objects.filter(tender__in=tenders).values("tender_id").annotate(last=Max("pk"))
    data = {
        release.tender_id: release.data
        for release in TenderRelease.objects.filter(pk__in=[row["last"] for row in latest]).only("tender_id", "data")
    }
    for tender in tenders:
        if tender.pk in data:  # announced tenders always have a release; a draft never does
            yield _tender_row(tender, data[tender.pk], labels)


TENDER_FIELDS = (
    ("ocid", "ocid", Kind.TEXT, 24),
    ("code", _("tender number"), Kind.TEXT, 18),
    ("title", _("title"), Kind.TEXT, 30),
    ("project_code", _("project code"), Kind.TEXT, 14),
    ("project_name", _("project name"), Kind.TEXT, 24),
    ("street", _("Street"), Kind.TEXT, 12),
    ("kind", _("procurement kind"), Kind.TEXT, 16),
    ("method", _("evaluation method"), Kind.TEXT, 16),
    ("ceiling_price", _("ceiling price (控制价, yuan)"), Kind.MONEY, 16),
    ("status", _("status"), Kind.TEXT, 12),
    ("announced_at", _("announced"), Kind.DATETIME, 16),
    ("bid_period_start", _("bids accepted from"), Kind.DATETIME, 16),
    ("bid_period_end", _("bids accepted until"), Kind.DATETIME, 16),
    ("opening_at", _("opening time"), Kind.DATETIME, 16),
    ("bids", _("Bids received (after the opening)"), Kind.INTEGER, 10),
    ("award_status", _("Award status (OCDS)"), Kind.TEXT, 10),
    ("supplier", _("Winner or winner candidate"), Kind.TEXT, 24),
    ("award_amount", _("Award amount (yuan)"), Kind.MONEY, 16),
    ("contract_number", _("contract number"), Kind.TEXT, 18),
    ("contract_amount", _("Contract amount incl. approved changes (yuan)"), Kind.MONEY, 18),
    ("signed_on", _("signed on"), Kind.DATE, 12),
)


# --- quarterly disclosures: their frozen figures --------------------------------------------------


def _disclosure_rows(start: int | None, stop: int | None) -> Iterator[dict[str, Any]]:
    disclosures = QuarterlyDisclosure.objects.select_related("project__neighbourhood__community__street").order_by(
        "year", "quarter", "project__code", "pk"
    )[start:stop]
    for disclosure in disclosures.iterator(chunk_size=CHUNK_SIZE):
        project = disclosure.project
        yield {
            "project_code": project.code,
            "project_name": project.name,
            "street": project.neighbourhood.community.street.name,
            "neighbourhood": project.neighbourhood.name,
            "year": disclosure.year,
            "quarter": disclosure.quarter,
            "opening_balance": disclosure.opening_balance,
            **{f"income_{source}": getattr(disclosure, f"income_{source}") for source in IncomeSource.values},
            "income_total": disclosure.income_total,
            "payments_total": disclosure.payments_total,
            "closing_balance": disclosure.closing_balance,
            "entry_count": disclosure.entry_count,
            "published_at": disclosure.published_at,
        }


DISCLOSURE_FIELDS = (
    ("project_code", _("project code"), Kind.TEXT, 14),
    ("project_name", _("project name"), Kind.TEXT, 24),
    ("street", _("Street"), Kind.TEXT, 12),
    ("neighbourhood", _("neighbourhood"), Kind.TEXT, 16),
    ("year", _("year"), Kind.INTEGER, 8),
    ("quarter", _("quarter"), Kind.INTEGER, 8),
    ("opening_balance", _("opening balance (yuan)"), Kind.MONEY, 16),
    ("income_central", _("central subsidy (yuan)"), Kind.MONEY, 16),
    ("income_provincial", _("provincial subsidy (yuan)"), Kind.MONEY, 16),
    ("income_city", _("city subsidy (yuan)"), Kind.MONEY, 16),
    ("income_resident", _("resident contribution (yuan)"), Kind.MONEY, 16),
    ("income_other", _("other funding (yuan)"), Kind.MONEY, 16),
    ("income_total", _("income (yuan)"), Kind.MONEY, 16),
    ("payments_total", _("payments (yuan)"), Kind.MONEY, 16),
    ("closing_balance", _("closing balance (yuan)"), Kind.MONEY, 16),
    ("entry_count", _("entries"), Kind.INTEGER, 8),
    ("published_at", _("published"), Kind.DATETIME, 16),
)


DATASETS = {
    dataset.slug: dataset
    for dataset in (
        Dataset("projects", _("Renovation projects"), PROJECT_FIELDS, _project_rows),
        Dataset("tenders", _("Tenders"), TENDER_FIELDS, _tender_rows),
        Dataset("disclosures", _("Quarterly finance disclosures"), DISCLOSURE_FIELDS, _disclosure_rows),
    )
}


# --- writing -------------------------------------------------------------------------------------


def _csv_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return ""
    if kind is Kind.MONEY:
        return f"{Decimal(value):.2f}"  # yuan to the fen, as the workbook shows them
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Echo:
    """csv.writer writes into this and gets the line back, so each row can be yielded."""

    def write(self, value: str) -> str:
        return value


# Rows per page of a CSV download: a page costs the same however many records there are.
CSV_PAGE_SIZE = 100


def csv_header(dataset: Dataset) -> str:
    """The first line of the dataset's CSV, in the active language, with a UTF-8 byte-order mark
    so Excel reads the Chinese."""
    return "\ufeff" + csv.writer(_Echo()).writerow([safe_text(header) for header in dataset.headers()])


def _csv_line(writer: Any, values: list[Any], kinds: list[Kind]) -> str:
    return writer.writerow([_csv_value(value, kind) for value, kind in zip(values, kinds, strict=True)])


def csv_page(dataset: Dataset, number: int) -> tuple[list[str], bool]:
    """Page ``number`` (from 1) of the dataset as CSV text: the header (``csv_header``), then its
    rows, one line each; and whether another page follows."""
    start = (number - 1) * CSV_PAGE_SIZE
    writer = csv.writer(_Echo())
    kinds = [kind for _key, _header, kind, _width in dataset.fields]
    lines = [_csv_line(writer, values, kinds) for values in dataset.values(start, start + CSV_PAGE_SIZE + 1)]
    return [csv_header(dataset), *lines[:CSV_PAGE_SIZE]], len(lines) > CSV_PAGE_SIZE


def project_csv_lines(rows: Iterable[dict[str, Any]]) -> dict[int, str]:
    """Each of these projects' line of ``projects.csv`` in the active language, byte for byte what
    ``csv_page`` writes for it; ``rows`` as ``public_project_rows`` reads them (left unchanged)."""
    dataset = DATASETS["projects"]
    writer = csv.writer(_Echo())
    keys = [key for key, *_rest in dataset.fields]
    kinds = [kind for _key, _header, kind, _width in dataset.fields]
    labels = _project_labels()
    lines = {}
    for row in rows:
        labelled = _project_labelled(row, labels)
        lines[row["pk"]] = _csv_line(writer, [labelled.get(key) for key in keys], kinds)
    return lines


def write_workbook(dataset: Dataset, target: IO[bytes]) -> int:
    book = ReportWorkbook()
    title = str(dataset.title)
    sheet = book.add_sheet(title, dataset.columns(), title=title_line(title, str(_("open data"))), frozen_columns=1)
    sheet.extend(dataset.values())
    book.save(target)
    return sheet.rows_written
