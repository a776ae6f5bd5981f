"""The opening record (开标记录) and the evaluation table (评标结果表) as finished workbooks.

Both exist only after the opening time: they are made from ``selectors.opening_record``, which
is empty while the bids are sealed.
"""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.spreadsheets.writer import Column, Kind, ReportWorkbook, title_line

from .models import EvaluationMethod, Tender
from .selectors import OpeningRow, ranked_rows


def _title(report: str, tender: Tender) -> str:
    return title_line(report, f"{tender.code} {tender.title}")


def write_opening_record(target: IO[bytes], tender: Tender, rows: list[OpeningRow]) -> None:
    book = ReportWorkbook()
    sheet = book.add_sheet(
        _("Opening record"),
        [
            Column(_("No."), Kind.INTEGER, 6),
            Column(_("Bidder"), Kind.TEXT, 30),
            Column(_("Unified social credit code"), Kind.TEXT, 22),
            Column(_("Bid amount"), Kind.MONEY, 18),
            Column(_("Duration (days)"), Kind.INTEGER, 10),
            Column(_("Technical proposal"), Kind.TEXT, 28),
            Column(_("Submitted"), Kind.DATETIME, 18),
            Column(_("Version"), Kind.INTEGER, 8),
            Column(_("Digest (SHA-256)"), Kind.TEXT, 70),
        ],
        title=_title(_("Opening record"), tender),
        frozen_columns=2,
    )
    for number, row in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                row.bidder_name,
                row.uscc,
                row.amount,
                row.duration_days,
                row.proposal_name,
                row.submitted_at,
                row.version,
                row.digest,
            ]
        )
    facts = book.add_sheet(
        _("Tender"),
        [Column(_("Item"), Kind.TEXT, 20), Column(_("Value"), Kind.TEXT, 60)],
        title=_title(_("Opening record"), tender),
    )
    facts.extend(
        [
            (_("Tender number"), tender.code),
            (_("Title"), tender.title),
            (_("Project"), tender.project.name),
            (_("Ceiling price"), f"{tender.ceiling_price:.2f}"),
            (_("Opening time"), f"{timezone.localtime(tender.opening_at):%Y-%m-%d %H:%M}"),
            (_("Bids received"), str(len(rows))),
        ]
    )
    book.save(target)


def write_evaluation_table(target: IO[bytes], tender: Tender, rows: list[OpeningRow]) -> None:
    book = ReportWorkbook()
    scoring = tender.method == EvaluationMethod.COMPREHENSIVE
    columns = [
        Column(_("Rank"), Kind.INTEGER, 8),
        Column(_("Bidder"), Kind.TEXT, 30),
        Column(_("Bid amount"), Kind.MONEY, 18),
        Column(_("Duration (days)"), Kind.INTEGER, 10),
        Column(_("Compliant"), Kind.TEXT, 10),
    ]
    if scoring:
        columns += [
            Column(_("Technical score"), Kind.NUMBER, 12),
            Column(_("Price score"), Kind.NUMBER, 12),
            Column(_("Total score"), Kind.NUMBER, 12),
        ]
    columns.append(Column(_("Note"), Kind.TEXT, 40))
    sheet = book.add_sheet(_("Evaluation"), columns, title=_title(_("Evaluation table"), tender), frozen_columns=2)
    for row in ranked_rows(rows):
        evaluation = row.evaluation
        values = [
            evaluation.rank if evaluation else None,
            row.bidder_name,
            row.amount,
            row.duration_days,
            (_("yes") if evaluation.compliant else _("no")) if evaluation else _("not evaluated"),
        ]
        if scoring:
            values += [
                evaluation.technical_score if evaluation else None,
                evaluation.price_score if evaluation else None,
                evaluation.total_score if evaluation else None,
            ]
        values.append(evaluation.note if evaluation else "")
        sheet.append(values)
    book.save(target)
