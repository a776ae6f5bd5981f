"""Personas (one per role) and the pieces most tests need.

Street A and street B each have one staff member; bureau staff see everything; ``anonymous`` is
the public. Permission tests read like the matrix they check.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from renovation.accounts.models import StaffRole
from renovation.accounts.services import staff_account_ensure
from tests.factories import NeighbourhoodFactory, StreetFactory, UserFactory

# The supervision cast (supervisor, construction unit, projects) serves several test packages.
pytest_plugins = ["tests.supervision.fixtures", "tests.tendering.fixtures"]


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Tests run in the product's default language unless they switch."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _routing_memo_per_test():
    """Each test is a fresh process to routing (cms/routing.py): rows a test rolls back change the
    page tree without the commit that would bump the routing version."""
    from cms import project_index, routing
    from renovation.public import kept

    routing.forget()
    project_index.forget()  # and the project index's kept filter choices and SQL
    kept.forget()  # and the other pages' kept choices (the tender list's years and streets)
    yield
    routing.forget()
    project_index.forget()
    kept.forget()


@pytest.fixture(autouse=True)
def _unreadable_rows_logged_per_test():
    """Each test is a fresh process to the log of unreadable stored rows (renovation/public/unreadable.py):
    rows of the same key (a language's home page row) are built again in every test."""
    from renovation.public import unreadable

    unreadable.forget()
    yield
    unreadable.forget()


@dataclass
class Personas:
    bureau: Any
    street_a: Any
    street_b: Any
    superuser: Any
    resident: Any
    street_a_place: Any  # a neighbourhood in street A
    street_b_place: Any  # a neighbourhood in street B


@pytest.fixture
def personas(db) -> Personas:
    street_a = StreetFactory(name="安阳街道", code="anyang")
    street_b = StreetFactory(name="玉海街道", code="yuhai")
    bureau, _ = staff_account_ensure(
        username="bureau", role=StaffRole.BUREAU, street=None, display_name="住建局", password="pw"
    )
    staff_a, _ = staff_account_ensure(
        username="staff_a", role=StaffRole.STREET, street=street_a, display_name="安阳", password="pw"
    )
    staff_b, _ = staff_account_ensure(
        username="staff_b", role=StaffRole.STREET, street=street_b, display_name="玉海", password="pw"
    )
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    resident = UserFactory(username="resident")
    return Personas(
        bureau=bureau,
        street_a=staff_a,
        street_b=staff_b,
        superuser=superuser,
        resident=resident,
        street_a_place=NeighbourhoodFactory(community__street=street_a, name="飞云花园", household_count=483),
        street_b_place=NeighbourhoodFactory(community__street=street_b, name="玉海苑"),
    )


@pytest.fixture
def login(client: Client):
    def _login(user: Any) -> Client:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def site_tree(db):
    """The public page tree. Migrations create it, but a transactional test's flush wipes it for
    the transactional tests that follow, so those ask for it explicitly."""
    from cms.services import site_ensure

    return site_ensure()
