"""Scenes for the figure checks: records written straight through the ORM (as a faulty import or
an old version of the code might have left them), with their history dated as the story needs."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from renovation.projects.models import Project


def moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def date_latest_history(instance: Any, day: date | datetime) -> None:
    """Back-date the instance's latest history row, as if the change had been made then."""
    when = day if isinstance(day, datetime) else moment(day)
    record = instance.history.order_by("-history_date", "-history_id").first()
    type(record).objects.filter(pk=record.pk).update(history_date=when)


def move_project(project: Project, status: str, day: date) -> Project:
    """Move a project to ``status`` with a history row dated ``day``."""
    project.status = status
    project.save()
    date_latest_history(project, day)
    return project
