"""Reads that several public views share, so two places showing a fact read it from one place."""

from __future__ import annotations

from renovation.changelog.paging import PagedChangeLog
from renovation.consultation import selectors as consultation_selectors
from renovation.finance import public as finance_public
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project


def project_public_change_log(project: Project) -> PagedChangeLog:
    """One public change log, newest first: the project's own, its ledger's corrections and edits,
    and its consultation's public records. The change-log page pages it and the project's feed
    takes its newest entries; both count and slice in the database (changelog.paging)."""
    return PagedChangeLog(
        project_selectors.project_change_sources(project)
        + finance_public.ledger_change_sources(project)
        + consultation_selectors.consultation_change_sources(project)
    )
