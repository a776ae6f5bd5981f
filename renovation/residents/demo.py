"""Demo residents: one resident who joined with the household code (signs in by SMS code or
password), and a few unused household codes to try /accounts/join/ with. Run through the real
services; called by ``seed_demo`` with one line."""

from __future__ import annotations

import sys
from typing import Any

from django.utils import timezone

from renovation.accounts.models import StaffProfile, StaffRole
from renovation.consultation.join_services import join_codes_issue, resident_join
from renovation.consultation.models import Household
from renovation.projects.models import Project, ProjectStatus
from renovation.sms.models import UserPhone

DEMO_NUMBER = "13800138000"
DEMO_CODES = 3


def seed_residents(*, new_password: Any, account_class: Any, out: Any = None) -> list[Any]:
    out = out or sys.stdout
    # A neighbourhood whose residents are being asked (else any with a register).
    with_register = Project.objects.filter(neighbourhood__households__resident__isnull=True).select_related(
        "neighbourhood__community"
    )
    project = (
        with_register.filter(status=ProjectStatus.CONSULTING).order_by("-plan_year", "code").first()
        or with_register.order_by("-plan_year", "code").first()
    )
    if project is None:
        return []
    neighbourhood = project.neighbourhood
    street_id = neighbourhood.community.street_id
    staff = StaffProfile.objects.filter(role=StaffRole.STREET, street_id=street_id).select_related("user").first()
    if staff is None:
        staff = StaffProfile.objects.filter(role=StaffRole.BUREAU).select_related("user").first()
    actor = staff.user
    households = Household.objects.filter(neighbourhood=neighbourhood, resident__isnull=True).order_by("pk")
    phone = UserPhone.objects.select_related("user").filter(number=DEMO_NUMBER).first()
    created = phone is None
    password = new_password(not created)
    if created:
        first = households.first()
        (issued,) = join_codes_issue(
            actor=actor, neighbourhood=neighbourhood, households=Household.objects.filter(pk=first.pk)
        )
        code = issued.household.join_codes.get(used_at__isnull=True, revoked_at__isnull=True)
        user = resident_join(
            join_code=code,
            number=DEMO_NUMBER,
            password=password,
            consent_version="demo",
            consented_at=timezone.now(),
            sms_opt_in=True,
        )
    else:
        user = phone.user
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
    spare = Household.objects.filter(
        pk__in=list(households.exclude(resident=user).values_list("pk", flat=True)[:DEMO_CODES])
    )
    issued = join_codes_issue(actor=actor, neighbourhood=neighbourhood, households=spare)
    out.write(
        f"Household join codes for {neighbourhood.name} (try them at /accounts/join/; printing again replaces them):\n"
    )
    for item in issued:
        out.write(f"  {item.code}  {item.household.address}\n")
    name = f"居民 · {neighbourhood.name} · 手机 {DEMO_NUMBER}（/accounts/login/phone/ 短信登录）"
    return [account_class(user.username, "resident", None, name, password, created)]
