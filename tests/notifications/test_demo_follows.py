"""The demo shows a followed project with notifications, made through the real services."""

from decimal import Decimal

import pytest

from renovation.consultation.models import Household
from renovation.demo.follows import seed_follows
from renovation.notifications.models import Follow, Notification
from renovation.projects.models import ProjectStatus
from renovation.projects.services import progress_report_confirm, progress_report_submit
from renovation.residents.demo import DEMO_NUMBER
from renovation.sms.services import user_phone_set
from tests.factories import ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def test_the_demo_resident_follows_a_project_and_has_its_news(personas, django_capture_on_commit_callbacks):
    user_phone_set(user=personas.resident, number=DEMO_NUMBER)
    Household.objects.create(
        neighbourhood=personas.street_a_place, building="1", unit="1", room="101", resident=personas.resident
    )
    project = ProjectFactory(
        neighbourhood=personas.street_a_place, name="飞云花园改造", status=ProjectStatus.UNDER_CONSTRUCTION
    )
    item = WorkItemFactory(project=project, description="外立面整治")
    report = progress_report_submit(actor=personas.bureau, work_item=item, percent=Decimal("30"))
    progress_report_confirm(actor=personas.bureau, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        seed_follows()
    assert Follow.objects.filter(user=personas.resident, project=project).exists()
    assert Follow.objects.filter(user=personas.resident, street__code="anyang").exists()
    titles = list(Notification.objects.filter(recipient=personas.resident).values_list("title", flat=True))
    assert titles == ["飞云花园改造：“外立面整治”的进度已确认为 30%"]
    with django_capture_on_commit_callbacks(execute=True):
        seed_follows()  # again: nothing new
    assert Notification.objects.filter(recipient=personas.resident).count() == 1
