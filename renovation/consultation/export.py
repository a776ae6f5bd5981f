"""The staff export of satisfaction ratings, written with the shared spreadsheet writer.

It names the household by building/unit/room so staff can follow a complaint up, and never by
contact name or phone: those stay in the register."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from renovation.projects.models import WorkCategory
from renovation.spreadsheets.writer import Column, Kind, ReportWorkbook, describe_filters, title_line

from .models import Channel, Household


def write_satisfaction(target: IO[bytes], rows: Iterable[dict[str, Any]], *, scope: str) -> None:
    report = _("Satisfaction ratings")
    columns = [
        Column(_("Project code"), width=14),
        Column(_("Project name"), width=28),
        # The register's own field names: "Building" alone already means the work category.
        *[
            Column(capfirst(Household._meta.get_field(name).verbose_name), width=8)
            for name in ("building", "unit", "room")
        ],
        Column(_("Overall (1-5)"), Kind.INTEGER, width=10),
        *[Column(str(label), Kind.INTEGER, width=12) for label in WorkCategory.labels],
        Column(_("Comment"), width=50),
        Column(_("Channel"), width=10),
        Column(_("Date"), Kind.DATE, width=12),
    ]
    book = ReportWorkbook()
    sheet = book.add_sheet(
        report, columns, title=title_line(report, describe_filters([(_("Projects"), scope)])), frozen_columns=2
    )
    channels = dict(Channel.choices)
    for row in rows:
        sheet.append(
            [
                row["project__code"],
                row["project__name"],
                row["household__building"],
                row["household__unit"],
                row["household__room"],
                row["overall"],
                *[row[f"score_{code}"] for code in WorkCategory.values],
                row["comment"],
                str(channels.get(row["channel"], row["channel"])),
                row["rated_on"],
            ]
        )
    book.save(target)
