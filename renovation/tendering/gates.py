"""Tendering's say in the project lifecycle: must-tender works need a signed contract before
construction starts.

Registered with `renovation.projects.lifecycle` in `TenderingConfig.ready()`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from renovation.projects.models import Project, ProjectStatus

from .selectors import untendered_mandatory_items


def mandatory_tenders_gate(project: Project, old_status: str, new_status: str) -> None:
    """Works that must go through the street tendering channel need a signed contract first."""
    if new_status != ProjectStatus.UNDER_CONSTRUCTION or old_status == new_status:
        return
    missing = untendered_mandatory_items(project)
    if missing:
        raise ValidationError(
            {
                "status": _(
                    "Construction cannot start: these works must be publicly tendered and have no awarded "
                    "contract yet: %(items)s."
                )
                % {"items": "、".join(item.description for item in missing)}
            }
        )
