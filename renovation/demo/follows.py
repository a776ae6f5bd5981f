"""Demo follows: the demo resident follows a project under construction in their street, and the
street itself, and hears of that project's latest confirmed progress and tender results, through
the real services (the fan-out is a background job: ``make run``'s worker delivers it). Called by
``seed_demo`` with one line; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from renovation.notifications.models import Follow
from renovation.notifications.services import follow_start, followers_notify_award, followers_notify_progress
from renovation.projects.models import ProgressReport, ProgressReportStatus, Project, ProjectStatus
from renovation.residents.demo import DEMO_NUMBER
from renovation.sms.models import UserPhone
from renovation.tendering.models import Award

PROGRESS_TOLD = 2


def seed_follows(*, new_password: Any = None, account_class: Any = None, out: Any = None) -> list[Any]:
    phone = UserPhone.objects.select_related("user").filter(number=DEMO_NUMBER).first()
    if phone is None:
        return []
    resident = phone.user
    if Follow.objects.filter(user=resident).exists():
        return []
    household = resident.households.select_related("neighbourhood__community__street").first()
    street = household.neighbourhood.community.street if household is not None else None
    building = Project.objects.filter(status=ProjectStatus.UNDER_CONSTRUCTION).select_related(
        "neighbourhood__community__street"
    )
    project = (
        building.filter(neighbourhood__community__street=street).order_by("code").first() if street else None
    ) or building.order_by("code").first()
    if project is None:
        return []
    follow_start(actor=resident, project=project)
    follow_start(actor=resident, street=street or project.neighbourhood.community.street)
    reports = (
        ProgressReport.objects.filter(work_item__project=project, status=ProgressReportStatus.CONFIRMED)
        .select_related("work_item__project")
        .order_by("-reviewed_at", "-pk")[:PROGRESS_TOLD]
    )
    for report in reversed(list(reports)):
        followers_notify_progress(report=report)
    for award in Award.objects.filter(tender__project=project).select_related("tender__project", "bidder"):
        followers_notify_award(award=award)
    return []
