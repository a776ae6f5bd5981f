"""The change-log page and the project feed read one public change log, counted and sliced in the
database (changelog.paging); it says exactly what diffing the whole history in Python says
(projects/finance/consultation ``*_change_log``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.consultation.selectors import consultation_change_log
from renovation.finance.public import ledger_change_log
from renovation.opendata.selectors import project_public_change_log
from renovation.projects.models import Project
from renovation.projects.selectors import project_change_log
from renovation.projects.services import progress_report_confirm, progress_report_submit, project_update

pytestmark = pytest.mark.django_db


def _diffed_in_python(project: Project) -> list[tuple]:
    entries = project_change_log(project, limit=None) + ledger_change_log(project) + consultation_change_log(project)
    return sorted(_key(entry) for entry in entries)


def _key(entry) -> tuple:
    recorded = entry.recorded.isoformat() if entry.recorded else ""
    return (entry.when, entry.subject, entry.created, repr(entry.changes), entry.reason, entry.day_only, recorded)


def _assert_same_as_python(project: Project) -> None:
    log = project_public_change_log(project)
    paged = list(log[0 : log.count()])
    assert sorted(_key(entry) for entry in paged) == _diffed_in_python(project)
    assert [entry.when for entry in paged] == sorted((entry.when for entry in paged), reverse=True)


def test_it_says_what_diffing_the_whole_history_says(personas, published_project):
    project, _page = published_project(items=2, reports_per_item=2)
    item = project.work_items.first()
    report = progress_report_submit(
        actor=personas.bureau, work_item=item, percent=Decimal("95"), reported_on=date(2023, 6, 3)
    )
    progress_report_confirm(actor=personas.bureau, report=report)
    project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal("1000")})
    project_update(actor=personas.bureau, project=project, data={"actual_start": date(2023, 4, 1)})
    project_update(actor=personas.bureau, project=project, data={"supervising_engineer": "某监理公司"})

    _assert_same_as_python(project)


# Every demo project: tests/demo/test_seed_demo.py (it shares one seeded demo).


def test_its_pages_follow_on_without_gaps_or_repeats(personas, published_project):
    project, _page = published_project(items=3, reports_per_item=3)
    log = project_public_change_log(project)
    whole = list(log[0 : log.count()])
    pages = [entry for start in range(0, log.count(), 4) for entry in log[start : start + 4]]
    assert len(whole) > 8 and pages == whole


def test_a_page_costs_the_same_queries_whatever_the_length_of_the_history(
    client, personas, published_project, settings
):
    """A page reads its entries' rows per kind of record on it (project, work items, ledger...):
    the same kinds on a page, the same queries, however long the history behind it."""
    from renovation.projects.services import work_item_update

    settings.CHANGE_LOG_PAGE_SIZE = 10
    project, page = published_project(items=2, reports_per_item=1)
    item = project.work_items.first()
    project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal(500)})
    url = f"{page.url}changes/"
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        assert client.get(url).status_code == 200
    for step in range(30):
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal(1000 * (step + 1))})
        work_item_update(actor=personas.bureau, work_item=item, data={"description": f"楼道粉刷第{step + 1}次"})
    with CaptureQueriesContext(connection) as long:
        html = client.get(url).content.decode()
    assert 'rel="next"' in html
    assert len(short) == len(long)


# The entry markup as the page's template wrote it before ``{% change_log_entry %}`` (changelog
# templatetags) took its place: the tag must write the same bytes.
TEMPLATE_ENTRY = """{% load i18n %}{% for entry in entries %}
    <li>
      {% if entry.day_only %}<time datetime="{{ entry.when|date:'Y-m-d' }}">{{ entry.when|date:"Y-m-d" }}</time>{% else %}<time datetime="{{ entry.when|date:'c' }}">{{ entry.when|date:"Y-m-d H:i" }}</time>{% endif %}
      <span class="changelog__subject">{{ entry.subject }}</span>
      {% if entry.created %}<span class="changelog__created">{% trans "added" %}</span>{% endif %}
      <ul>
        {% for change in entry.changes %}
        <li>{{ change.label }}: {% if not entry.created %}<del>{{ change.old }}</del> → {% endif %}<ins>{{ change.new }}</ins></li>
        {% endfor %}
      </ul>
    </li>
    {% endfor %}"""  # noqa: E501

TAG_ENTRY = """{% load changelog %}{% for entry in entries %}
    {% change_log_entry entry %}
    {% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_its_entries_read_as_the_template_wrote_them(personas, published_project, language):
    from django.template import engines
    from django.utils import translation

    from renovation.projects.services import work_item_update

    project, _page = published_project(items=2, reports_per_item=2)
    item = project.work_items.first()
    project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal("1234.5")})
    project_update(actor=personas.bureau, project=project, data={"actual_start": date(2023, 4, 1)})
    work_item_update(actor=personas.bureau, work_item=item, data={"description": "楼道 <粉刷> & 防水"})
    log = project_public_change_log(project)
    entries = list(log[0 : log.count()])
    assert {entry.created for entry in entries} == {True, False}
    assert {entry.day_only for entry in entries} == {True, False}
    engine = engines["django"]
    with translation.override(language):
        expected = engine.from_string(TEMPLATE_ENTRY).render({"entries": entries})
        written = engine.from_string(TAG_ENTRY).render({"entries": entries})
    assert "&lt;粉刷&gt; &amp; 防水" in written
    assert written == expected
