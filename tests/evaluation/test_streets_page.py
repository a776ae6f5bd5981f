"""The public league table at /streets/ and its back-office twin."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.evaluation.services import monthly_evaluations_freeze
from renovation.projects.models import ProjectStatus
from tests.factories import NeighbourhoodFactory, ProjectFactory, StreetFactory

pytestmark = pytest.mark.django_db


def _projects(personas, count: int = 1, street_place=None):
    for _index in range(count):
        ProjectFactory(
            neighbourhood=street_place or personas.street_a_place,
            plan_year=2025,
            status=ProjectStatus.ACCEPTED,
            planned_end=date(2025, 6, 30),
            actual_start=date(2025, 3, 1),
            actual_end=date(2025, 7, 10),
        )


def test_it_shows_each_street_with_its_figures_and_charts(personas, client):
    _projects(personas, 2)
    _projects(personas, 1, personas.street_b_place)
    html = client.get("/streets/?year=2025").content.decode()
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "安阳街道" in table and "玉海街道" in table
    assert '<td class="num">2</td>' in table  # 安阳: planned
    assert "0.0%" in table  # none on time
    assert "10.0" in table  # ten days late on average
    assert html.count("<svg") == 4
    assert 'role="img"' in html and '<title id="chart-completion-title">' in html
    assert '<desc id="chart-completion-desc">' in html
    assert ">100.0%</text>" in html  # the value written next to the bar
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_it_shows_frozen_months_of_the_plan_year(personas, client):
    _projects(personas)
    monthly_evaluations_freeze(today=date(2025, 8, 1))
    html = client.get("/streets/?year=2025").content.decode()
    assert "2025-07" in html and "2025-01" in html
    assert html.index("2025-07") < html.index("2025-06")


def test_it_says_when_nothing_is_planned_or_frozen(db, client):
    html = client.get("/streets/").content.decode()
    assert "本年度暂无改造项目" in html
    assert "尚无月度评价" in html


def test_an_unknown_year_falls_back_to_the_default(personas, client):
    _projects(personas)
    assert client.get("/streets/?year=abc").status_code == 200
    assert "安阳街道" in client.get("/streets/?year=1900").content.decode()


def test_its_query_count_does_not_grow_with_streets_or_projects(personas, client):
    _projects(personas, 1)
    monthly_evaluations_freeze(today=date(2025, 3, 1))
    client.get("/streets/?year=2025")
    with CaptureQueriesContext(connection) as small:
        client.get("/streets/?year=2025")
    for index in range(3):
        street = StreetFactory(name=f"街道{index}", code=f"street{index}")
        _projects(personas, 3, NeighbourhoodFactory(community__street=street))
    monthly_evaluations_freeze(today=date(2025, 5, 1))
    with CaptureQueriesContext(connection) as large:
        client.get("/streets/?year=2025")
    assert len(small) == len(large) == QUERIES_STREETS_PAGE


# Plan years (once: the filter, the default and the links), streets, projects, site issues, ratings,
# frozen months.
QUERIES_STREETS_PAGE = 6


def test_staff_see_it_in_the_admin_and_others_do_not(personas, client):
    _projects(personas)
    client.force_login(personas.street_b)
    html = client.get("/admin/streets/?year=2025").content.decode()
    assert "安阳街道" in html and "<svg" in html
    client.force_login(personas.resident)
    assert client.get("/admin/streets/")["Location"].startswith("/admin/login/")  # no admin access: to the sign-in page
