"""The demo seed's residents: a resident who joined (mobile + SMS sign-in) and unused codes."""

import re
from collections import namedtuple
from io import StringIO

import pytest

from renovation.consultation.join_services import join_code_check
from renovation.consultation.models import HouseholdMember
from renovation.projects.models import ProjectStatus
from renovation.residents.demo import DEMO_NUMBER, seed_residents
from renovation.sms.models import UserPhone
from tests.consultation.factories import HouseholdFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
Account = namedtuple("Account", "username role street_code display_name password created")


def test_it_seeds_a_resident_with_a_phone_and_prints_unused_codes(personas):
    ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    HouseholdFactory.create_batch(5, neighbourhood=personas.street_a_place)
    out = StringIO()
    (account,) = seed_residents(
        new_password=lambda exists: None if exists else "demo-Pass-1", account_class=Account, out=out
    )
    phone = UserPhone.objects.get(number=DEMO_NUMBER)
    assert account.username == phone.user.username and account.password == "demo-Pass-1"
    assert HouseholdMember.objects.filter(user=phone.user).exists()
    codes = re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", out.getvalue())
    assert len(codes) == 3
    for code in codes:
        join_code_check(code=code, ip=None)
    again = seed_residents(new_password=lambda exists: None if exists else "x", account_class=Account, out=StringIO())
    assert again[0].username == account.username and again[0].password is None
    assert UserPhone.objects.count() == 1
