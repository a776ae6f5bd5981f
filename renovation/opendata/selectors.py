"""Reads that several public views share, so two places showing a fact read it from one place."""

from __future__ import annotations

from typing import Any

from renovation.changelog.selectors import ChangeEntry
from renovation.consultation import selectors as consultation_selectors
from renovation.finance import public as finance_public
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project


def project_public_change_log(project: Project, limit: int | None = 200) -> list[ChangeEntry]:
    """One public change log, newest first: the project's own, its ledger's corrections and edits,
    and its consultation's public records. The project page and the project's feed both show it."""
    entries: list[Any] = (
        project_selectors.project_change_log(project, limit)
        + finance_public.ledger_change_log(project)
        + consultation_selectors.consultation_change_log(project)
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:limit]
