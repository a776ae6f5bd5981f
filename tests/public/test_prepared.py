"""Queries compiled once per process (renovation/public/prepared.py) answer as the ORM does."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from renovation.projects.models import Project
from renovation.projects.selectors import project_filter
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
    by_year = PreparedRows(  # ``__year`` passes the year's first and last days, not the value
        lambda year: Project.objects.filter(planned_end__year=year).values_list("pk"),
        year=PLAN_YEAR,
    )
    with pytest.raises(ValueError, match="year"):
        by_year.rows(year=2025)


def test_it_puts_a_value_in_the_like_patterns_of_contains_and_startswith(personas):
    for name in ["改造%一期", "改造_二期", "Back\\slash 三期", "改造四期"]:
        ProjectFactory(name=name)
    named = PreparedRows(
        lambda text, start: (
            Project.objects.filter(Q(name__icontains=text) | Q(name__startswith=start))
            .order_by("pk")
            .values_list("name")
        ),
        text=Project._meta.get_field("name"),
        start=Project._meta.get_field("name"),
    )
    for text, start in [("%", "x"), ("_", "改造四"), ("\\", "改"), ("SLASH", "zz"), ("一期", "%")]:
        rows = named.rows(text=text, start=start)
        with orm_reads():
            assert rows == named.rows(text=text, start=start), (text, start)
    assert named.rows(text="%", start="x") == [("改造%一期",)]


def test_values_may_be_left_out_of_an_optional_query(personas):
    for index in range(4):
        ProjectFactory(plan_year=2024 + index % 2, name=f"项目{index}")
    filtered = PreparedRows.optional(
        lambda **values: project_filter(Project.objects.order_by("pk"), **values).values_list("pk"),
        plan_year=PLAN_YEAR,
        search=Project._meta.get_field("name"),
    )
    for values in [{}, {"plan_year": 2024}, {"search": "项目1"}, {"plan_year": 2025, "search": "项目"}]:
        rows = filtered.rows(**values)
        with orm_reads():
            assert rows == filtered.rows(**values), values
        assert filtered.count(**values) == len(rows)
    assert len(filtered.rows()) == 4
    with pytest.raises(TypeError):
        filtered.rows(status="accepted")


def test_an_integer_beyond_its_column_is_answered_as_the_orm_answers_it(personas):
    ProjectFactory(plan_year=2025)
    assert BY_YEAR_AND_END.rows(plan_year=2**40, before=date(2030, 1, 1)) == []
    assert BY_YEAR_AND_END.count(plan_year=-(2**40), before=date(2030, 1, 1)) == 0


def test_it_refuses_values_it_was_not_written_for(personas):
    with pytest.raises(TypeError):
        BY_YEAR_AND_END.rows(plan_year=2025)


SUMMARIES = PreparedRows(lambda: Project.objects.order_by("pk").values_list("pk", "summary", "name", "summary"))


def test_it_reads_the_text_columns_asked_for_as_their_utf8_bytes(personas):
    for summary in ("外立面整治，雨污分流", "加装电梯 \\u001f \x1f"):
        ProjectFactory(name="金沙苑改造", summary=summary)
    rows = SUMMARIES.rows(limit=10, utf8=(1,))
    with orm_reads():
        assert SUMMARIES.rows(limit=10, utf8=(1,)) == rows
    expected = Project.objects.order_by("pk").values_list("pk", "summary", "name", "summary")
    assert rows == [(pk, summary.encode(), name, summary) for pk, summary, name, _again in expected]
    assert [type(value) for value in rows[0]] == [int, bytes, str, str]  # the same column, not asked: decoded


# A page cut from the keys in their order, the wide columns read for the page's rows only.
PAGED = PreparedRows.paged(
    lambda page, plan_year: (
        Project.objects.filter(plan_year=plan_year)
        .filter(pk__in=page(Project.objects.filter(plan_year=plan_year).order_by("-code", "pk").values("pk")))
        .order_by("-code", "pk")
        .values_list("pk", "code", "summary")
    ),
    plan_year=PLAN_YEAR,
)


def test_a_paged_query_returns_each_page_as_a_slice_of_the_queryset_would(personas):
    for index in range(7):
        ProjectFactory(plan_year=2025 + index % 2, code=f"RA-{index % 4}-{index}", summary=f"第{index}期")
    for plan_year, limit, offset in [(2025, 2, 0), (2025, 2, 2), (2025, 10, 3), (2026, 1, 0), (2026, 5, 9)]:
        rows = PAGED.rows(limit=limit, offset=offset, plan_year=plan_year, utf8=(2,))
        with orm_reads():
            assert rows == PAGED.rows(limit=limit, offset=offset, plan_year=plan_year, utf8=(2,))
        expected = (
            Project.objects.filter(plan_year=plan_year)
            .order_by("-code", "pk")
            .values_list("pk", "code", "summary")[offset : offset + limit]
        )
        assert rows == [(pk, code, summary.encode()) for pk, code, summary in expected]


def test_a_paged_query_puts_its_bounds_inside_the_queryset_given_to_its_page(personas):
    ProjectFactory(plan_year=2025)
    with CaptureQueriesContext(connection) as queries:
        PAGED.rows(limit=3, offset=1, plan_year=2025)
    (query,) = queries.captured_queries
    assert _outside_parentheses(query["sql"]).count("LIMIT") == 0
    assert query["sql"].count("LIMIT") == 1
    with pytest.raises(ValueError, match="limit"):
        PAGED.rows(plan_year=2025)


def _outside_parentheses(sql: str) -> str:
    """The SQL without what any parentheses hold (a sub-query among them)."""
    depth, kept = 0, []
    for character in sql:
        depth += character == "("
        if depth == 0:
            kept.append(character)
        depth -= character == ")"
    return "".join(kept)
