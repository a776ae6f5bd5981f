"""Mobile numbers in admin lists: masked for staff without the register permission."""

import pytest
from django.contrib.auth.models import Group, Permission

from renovation.accounts.models import StaffProfile, StaffRole
from renovation.sms.services import user_phone_set
from tests.consultation.factories import HouseholdFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NUMBER = "13812341234"


@pytest.fixture
def viewer(personas):
    """Street A staff who may read the register but not keep it (no change_household)."""
    user = UserFactory(username="reader")
    StaffProfile.objects.create(user=user, role=StaffRole.STREET, street=personas.street_a_place.community.street)
    group = Group.objects.create(name="register readers")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "consultation"],
            codename__in=["access_admin", "view_household"],
        )
    )
    user.groups.add(group)
    return user


def test_it_shows_the_number_to_staff_keeping_the_register(login, personas):
    HouseholdFactory(neighbourhood=personas.street_a_place, phone=NUMBER)
    html = login(personas.street_a).get("/admin/consultation/households/").content.decode()
    assert NUMBER in html


def test_it_masks_the_number_for_staff_without_the_register_permission(login, personas, viewer):
    HouseholdFactory(neighbourhood=personas.street_a_place, phone=NUMBER)
    response = login(viewer).get("/admin/consultation/households/")
    html = response.content.decode()
    assert response.status_code == 200
    assert NUMBER not in html and "138****1234" in html


def test_it_lists_verified_numbers_masked_unless_allowed(login, personas, viewer):
    user_phone_set(user=UserFactory(), number=NUMBER)
    assert NUMBER in login(personas.superuser).get("/admin/sms/phones/").content.decode()
    viewer.groups.first().permissions.add(Permission.objects.get(codename="view_userphone"))
    html = login(viewer).get("/admin/sms/phones/").content.decode()
    assert NUMBER not in html and "138****1234" in html
