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


# Live (no kept rendering: renovation/evaluation/stored.py): the kept rows looked for, plan years
# (once: the filter, the default and the links), the projects with their streets' names, the middle
# times to accept and to rectify, ratings (each a row per street), frozen months.
QUERIES_STREETS_PAGE = 7


def test_staff_see_it_in_the_admin_and_others_do_not(personas, client):
    _projects(personas)
    client.force_login(personas.street_b)
    html = client.get("/admin/streets/?year=2025").content.decode()
    assert "安阳街道" in html and "<svg" in html
    client.force_login(personas.resident)
    assert client.get("/admin/streets/")["Location"].startswith("/admin/login/")  # no admin access: to the sign-in page


# A frozen month as the league table's template wrote it before ``{% frozen_month %}``
# (evaluation templatetags) took its place: the tag must write the same bytes.
TEMPLATE_MONTH = """{% load i18n %}{% for month in months %}
<details class="league-month"{% if forloop.first %} open{% endif %}>
  <summary>{% blocktrans with label=month.label %}Month ending {{ label }}{% endblocktrans %}</summary>
  <div class="table-scroll" tabindex="0" role="region" aria-label="{% blocktrans with label=month.label %}Month ending {{ label }}{% endblocktrans %}">
  <table class="data-table">
    <thead><tr><th scope="col">{% trans "Street" %}</th><th scope="col" class="num">{% trans "Planned" %}</th><th scope="col" class="num">{% trans "Started" %}</th><th scope="col" class="num">{% trans "Completed" %}</th><th scope="col" class="num">{% trans "On time" %}</th><th scope="col" class="num">{% trans "Average delay (days)" %}</th><th scope="col" class="num">{% trans "Days to accept an issue" %}</th><th scope="col" class="num">{% trans "Days to rectify an issue" %}</th><th scope="col" class="num">{% trans "Satisfaction (1-5)" %}</th></tr></thead>
    <tbody>
    {% for row in month.rows %}
      <tr>
        <th scope="row">{{ row.street.name }}</th>
        <td class="num">{{ row.planned }}</td><td class="num">{{ row.started }}</td><td class="num">{{ row.completed }}</td>
        <td class="num">{% if row.on_time_share is not None %}{{ row.on_time_share }}%{% else %}—{% endif %}</td>
        <td class="num">{{ row.average_delay_days|default_if_none:"—" }}</td>
        <td class="num">{{ row.median_days_to_accept|default_if_none:"—" }}</td>
        <td class="num">{{ row.median_days_to_rectify|default_if_none:"—" }}</td>
        <td class="num">{{ row.satisfaction|default_if_none:"—" }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
</details>
{% endfor %}"""  # noqa: E501

TAG_MONTH = """{% load league_table %}{% for month in months %}
{% frozen_month month forloop.first %}
{% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_its_frozen_months_read_as_the_template_wrote_them(personas, language):
    from django.template import engines
    from django.utils import translation

    from renovation.evaluation.selectors import frozen_months
    from renovation.places.models import Street

    _projects(personas, 2)
    _projects(personas, 1, personas.street_b_place)
    monthly_evaluations_freeze(today=date(2025, 8, 1))
    # A name the markup must escape (set directly: only what the page writes is under test).
    Street.objects.filter(pk=personas.street_b_place.community.street_id).update(name="<玉海> & 街道")
    months = frozen_months(2025)
    rows = [row for month in months for row in month.rows]
    assert {row.on_time_share is None for row in rows} == {True, False}
    assert {row.satisfaction is None for row in rows} == {True}
    engine = engines["django"]
    with translation.override(language):
        expected = engine.from_string(TEMPLATE_MONTH).render({"months": months})
        written = engine.from_string(TAG_MONTH).render({"months": months})
    assert written.count("<details") == len(months) == 7
    assert "&lt;玉海&gt; &amp; 街道" in written
    assert written == expected


# A chart as its included template (evaluation/bar_chart.html) wrote it before ``{% bar_chart %}``
# took its place: the tag must write the same bytes.
TEMPLATE_CHART = """{# One server-drawn bar chart (charts.BarChart): title and description for screen readers, the value written after each bar. #}
<figure class="league-chart">
  <svg class="league-chart__svg" role="img" aria-labelledby="chart-{{ chart.key }}-title chart-{{ chart.key }}-desc" viewBox="0 0 {{ chart.width }} {{ chart.height }}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
    <title id="chart-{{ chart.key }}-title">{{ chart.title }}</title>
    <desc id="chart-{{ chart.key }}-desc">{{ chart.description }}</desc>
    {% for bar in chart.bars %}
    <g class="league-chart__row">
      <text class="league-chart__label" x="0" y="{{ bar.y|add:15 }}">{{ bar.label }}</text>
      <rect class="league-chart__bar" x="{{ chart.label_width }}" y="{{ bar.y|add:2 }}" width="{{ bar.width|stringformat:'s' }}" height="{{ chart.bar_height }}" rx="3"></rect>
      <text class="league-chart__value" x="{{ bar.text_x|stringformat:'s' }}" y="{{ bar.y|add:15 }}">{{ bar.text }}</text>
    </g>
    {% endfor %}
  </svg>
  <figcaption class="league-chart__caption">{{ chart.title }}</figcaption>
</figure>
"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_its_charts_read_as_the_template_wrote_them(personas, language):
    from django.template import engines
    from django.utils import translation

    from renovation.evaluation.selectors import street_league
    from renovation.evaluation.views import charts
    from renovation.places.models import Street

    _projects(personas, 2)
    _projects(personas, 1, personas.street_b_place)
    Street.objects.filter(pk=personas.street_b_place.community.street_id).update(name="<玉海> & 街道")
    engine = engines["django"]
    with translation.override(language):
        drawn = charts(street_league(2025, date(2025, 8, 1)))
        assert [len(chart.bars) for chart in drawn] == [2, 2, 2, 2]
        for chart in drawn:
            expected = engine.from_string(TEMPLATE_CHART).render({"chart": chart})
            written = engine.from_string("{% load league_table %}{% bar_chart chart %}").render({"chart": chart})
            assert "&lt;玉海&gt; &amp; 街道" in written
            assert written == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_its_compiled_queries_write_what_the_orm_would(personas, client, language):
    """The queries compiled once per process (renovation/public/prepared.py) give the page byte
    for byte as the querysets run through the ORM give it, for each plan year."""
    from renovation.public.prepared import orm_reads

    _projects(personas, 2)
    _projects(personas, 1, personas.street_b_place)
    ProjectFactory(neighbourhood=personas.street_b_place, plan_year=2026, status=ProjectStatus.APPROVED)
    monthly_evaluations_freeze(today=date(2025, 8, 1))
    client.cookies["django_language"] = language
    for params in ({}, {"year": "2025"}, {"year": "2026"}, {"year": "1999"}, {"year": "abc"}):
        compiled = client.get("/streets/", params)
        with orm_reads():
            through_orm = client.get("/streets/", params)
        assert compiled.content == through_orm.content, params
    assert "2025-07" in client.get("/streets/", {"year": "2025"}).content.decode()
