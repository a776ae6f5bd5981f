"""Queries compiled once per process (renovation/public/prepared.py) answer as the ORM does."""

from datetime import date, timedelta

import pytest

from renovation.projects.models import Project
from renovation.public.prepared import PreparedRows, orm_reads
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PLAN_YEAR = Project._meta.get_field("plan_year")
PLANNED_END = Project._meta.get_field("planned_end")

BY_YEAR_AND_END = PreparedRows(
    lambda plan_year, before: (
        Project.objects.filter(plan_year=plan_year, planned_end__lt=before)
        .order_by("planned_end", "pk")
        .values_list("pk", "name", "planned_end", "budget_central")
    ),
    plan_year=PLAN_YEAR,
    before=PLANNED_END,
)


def test_it_returns_the_rows_the_queryset_returns_for_each_value(personas):
    start = date(2025, 1, 1)
    for index in range(6):
        ProjectFactory(plan_year=2025 + index % 2, planned_end=start + timedelta(days=30 * index))
    for plan_year, before in [(2025, date(2025, 4, 1)), (2026, date(2026, 1, 1)), (2025, date(2024, 1, 1))]:
        rows = BY_YEAR_AND_END.rows(plan_year=plan_year, before=before)
        with orm_reads():
            assert rows == BY_YEAR_AND_END.rows(plan_year=plan_year, before=before)
        expected = list(
            Project.objects.filter(plan_year=plan_year, planned_end__lt=before)
            .order_by("planned_end", "pk")
            .values_list("pk", flat=True)
        )
        assert [row[0] for row in rows] == expected
    assert BY_YEAR_AND_END.count(plan_year=2025, before=date(2026, 1, 1)) == 3
    assert len(BY_YEAR_AND_END.rows(plan_year=2025, before=date(2026, 1, 1), limit=2, offset=2)) == 1


def test_it_refuses_a_value_that_does_not_reach_the_query_as_one_parameter(personas):
    named = PreparedRows(  # ``__contains`` passes "%text%", not the value
        lambda text: Project.objects.filter(name__contains=text).values_list("pk"),
        text=Project._meta.get_field("name"),
    )
    with pytest.raises(ValueError, match="text"):
        named.rows(text="改造")


def test_it_refuses_values_it_was_not_written_for(personas):
    with pytest.raises(TypeError):
        BY_YEAR_AND_END.rows(plan_year=2025)
