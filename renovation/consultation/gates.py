"""Consultation's say in the project lifecycle: residents decide before a project goes further.

Registered with `renovation.projects.lifecycle` in `ConsultationConfig.ready()`.
"""

from __future__ import annotations

from renovation.projects.models import Project
from renovation.projects.services import DECIDED_STATUSES

from .services import approval_threshold_require


def leaves_consultation(project: Project, old_status: str, new_status: str) -> bool:
    """Whether this change takes the project past the residents' decision for the first time, by
    any route (consulting → approved, or through a suspension). A project approved before may come
    back from a suspension without being asked again."""
    if new_status == old_status or new_status not in DECIDED_STATUSES:
        return False
    if old_status in DECIDED_STATUSES:
        return False
    return not project.history.filter(status__in=DECIDED_STATUSES).exists()


def residents_decision_gate(project: Project, old_status: str, new_status: str) -> None:
    """Approval (by any route) needs the consultation threshold; refuses with the current figures."""
    if leaves_consultation(project, old_status, new_status):
        approval_threshold_require(project=project)
