"""Live status messages for the pages that show a project's or an issue's status."""

from __future__ import annotations

from typing import Any


def project_status_message(project: Any) -> dict[str, Any]:
    return {
        "type": "status",
        "subject": "project",
        "id": project.pk,
        "status": project.status,
        "status_label": str(project.get_status_display()),
        "progress": f"{project.progress:.2f}",
    }


def issue_status_message(issue: Any) -> dict[str, Any]:
    return {
        "type": "status",
        "subject": "issue",
        "id": issue.pk,
        "status": issue.status,
        "status_label": str(issue.get_status_display()),
        "deadline": issue.deadline.isoformat() if issue.deadline else None,
    }
