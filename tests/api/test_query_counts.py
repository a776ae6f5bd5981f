"""The number of queries of each list does not grow with its rows (each page's figures are read
for the whole page at once)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.scene import api_list_paths
from tests.factories import ProjectFactory, WorkItemFactory
from tests.finance.factories import change_order, contract_for

pytestmark = pytest.mark.django_db
# Consultation reads each project's tally, votes and satisfaction through the project page's own
# selector (project_consultation), a fixed number of queries per project: it grows with the page.
PER_PROJECT = {"/api/v1/consultation/"}


def _counts(client) -> dict[str, int]:
    counts = {}
    for path in api_list_paths():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[path] = len(queries)
    return counts


def _more(personas, n: int) -> None:
    for _ in range(n):
        project = ProjectFactory(neighbourhood=personas.street_a_place)
        WorkItemFactory(project=project, budget=Decimal("1000"))
        change_order(contract_for(project), "1000.00")


def test_lists_cost_the_same_whatever_the_rows(client, scene, personas):
    before = _counts(client)
    _more(personas, 3)
    after = _counts(client)
    assert {path: count for path, count in after.items() if path not in PER_PROJECT} == {
        path: count for path, count in before.items() if path not in PER_PROJECT
    }
