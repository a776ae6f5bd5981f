"""The league table's kept rendering (renovation/evaluation/stored.py): the same page as live and as
the reference computation, stale from the commit of each change /streets/ shows until its job has
run, never trusted when it was not written by this site for this release, read in one query however
much the plan holds, and never written by a GET."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from renovation.evaluation.models import StreetLeagueSummary
from renovation.evaluation.selectors import LeagueRow, StreetName, frozen_months
from renovation.evaluation.services import monthly_evaluations_freeze
from renovation.evaluation.stored import (
    _PURPOSE,
    LEAGUE_CHANGES,
    LEAGUE_SUMMARY_VERSION,
    LEAGUE_TEMPLATE,
    _parts,
    street_league_rebuild,
    street_league_refresh,
)
from renovation.evaluation.views import charts
from renovation.projects.selectors import default_plan_year
from renovation.public.cache import Change, pages_changed
from renovation.public.signed import signature
from tests.evaluation.league_reference import reference_league
from tests.evaluation.test_street_league import PLAN, _issue, _rating, _reporter, _varied_plan
from tests.jobs.conftest import DATABASE_BACKEND
from tests.public.test_reads_never_write import WriteRecorder

pytestmark = pytest.mark.django_db
REBUILD = "renovation.evaluation.tasks.street_league_rebuild"
LANGUAGES = ("zh-hans", "en")
URLS = ["/streets/", f"/streets/?year={PLAN}", f"/streets/?year={PLAN + 1}", "/streets/?year=1999", "/streets/?year=x"]


def _page(client, url: str, language: str = "zh-hans"):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    # The only bytes that differ from one request to the next: the CSP nonce and the CSRF token.
    html = re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-+/=]{20,}"', r'\1="…"', response.content.decode())
    return response, html


def _stale() -> None:
    StreetLeagueSummary.objects.update(generation=F("generation") + 1)


def _stored(response) -> bool:
    return response.context["league_html"] is not None


@pytest.fixture
def plan(personas):
    """Four streets over two plan years, with projects of every status, site issues and ratings;
    and the months of this year frozen."""
    _varied_plan(personas, 3)
    monthly_evaluations_freeze(today=timezone.localdate())


def _forget_changes_rolled_back_by_earlier_tests() -> None:
    from renovation.evaluation import stored

    stored.rebuilds.forget()


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_renders_the_same_page_from_its_kept_rendering_as_live(client, plan, language):
    assert street_league_rebuild() == 2 * len(LANGUAGES)
    for url in URLS:
        stored, stored_html = _page(client, url, language)
        assert _stored(stored), url
        _stale()
        live, live_html = _page(client, url, language)
        assert not _stored(live), url
        assert stored_html == live_html, url
        street_league_rebuild()
    shown = _page(client, f"/streets/?year={PLAN + 1}", language)[1]
    assert f'<a href="?year={PLAN + 1}" aria-current="true">' in shown


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("plan_year", [PLAN, PLAN + 1])
def test_it_keeps_what_counting_every_row_in_python_shows(plan, language, plan_year):
    """The kept HTML is the page's template over the reference computation's figures."""
    street_league_rebuild()
    today = timezone.localdate()
    reference = reference_league(plan_year, today)
    rows = [LeagueRow(StreetName(figures.street, name), figures) for name, figures in reference]
    context = {
        "plan_year": plan_year,
        "plan_years": [PLAN + 1, PLAN],
        "as_of": today,
        "rows": rows,
        "months": frozen_months(plan_year),
    }
    with translation.override(language):
        context["charts"] = charts(rows)
        expected = render_to_string(LEAGUE_TEMPLATE, context)
    row = StreetLeagueSummary.objects.get(plan_year=plan_year, language=language)
    content = json.loads(row.content)
    assert content == {"years": [PLAN + 1, PLAN], "html": expected}
    assert rows and "<svg" in expected


def test_the_default_plan_year_is_kept_as_of_the_day_it_was_built(client, plan):
    street_league_rebuild()
    shown_by_default = set(
        StreetLeagueSummary.objects.filter(shown_by_default=True).values_list("plan_year", "language")
    )
    default = default_plan_year(timezone.localdate(), [PLAN + 1, PLAN])  # this year's plan, else the latest past
    assert shown_by_default == {(default, language) for language in LANGUAGES}
    for url in ("/streets/", "/streets/?year=1999", "/streets/?year=x", "/streets/?year=99999999999"):
        response, html = _page(client, url)
        assert _stored(response) and f'<a href="?year={default}" aria-current="true">' in html, url


def test_a_plan_year_whose_row_is_not_current_is_rendered_live_not_replaced_by_the_default(client, plan):
    street_league_rebuild()
    StreetLeagueSummary.objects.filter(plan_year=PLAN + 1).update(generation=F("generation") + 1)
    response, html = _page(client, f"/streets/?year={PLAN + 1}")
    assert not _stored(response) and f'<a href="?year={PLAN + 1}" aria-current="true">' in html
    assert _stored(_page(client, f"/streets/?year={PLAN}")[0])


def test_a_plan_year_no_longer_planned_loses_its_rows(plan):
    from renovation.projects.models import Project

    street_league_rebuild()
    Project.objects.filter(plan_year=PLAN + 1).update(plan_year=PLAN)
    _stale()
    assert street_league_rebuild() == len(LANGUAGES)
    assert set(StreetLeagueSummary.objects.values_list("plan_year", flat=True)) == {PLAN}


def test_the_changes_that_mark_it_stale_are_those_the_one_list_says_touch_streets():
    assert {
        Change.PLACE,
        Change.PLAN,
        Change.PROJECT,
        Change.WORK_ITEM,
        Change.PROGRESS,
        Change.TENDER,
        Change.CONSULTATION,
        Change.SITE_ISSUE,
        Change.EVALUATION,
        Change.SITE,
    } == LEAGUE_CHANGES


def _rebuild_jobs_run() -> None:
    """What the worker does: run the queued rebuild jobs (``settings.TASKS = DATABASE_BACKEND``)."""
    from django_tasks_db.models import DBTaskResult

    for job in DBTaskResult.objects.filter(task_path=REBUILD):
        job.task.call(**job.args_kwargs["kwargs"])
        job.delete()


@pytest.mark.parametrize("change", list(Change))
def test_each_change_the_page_shows_marks_it_stale_once_its_transaction_commits(
    settings, plan, change, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    street_league_rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed(change)
        # Not inside the change's transaction: no lock on the rows every change marks.
        assert not any(row.built_generation < row.generation for row in StreetLeagueSummary.objects.all())
    stale = {row.built_generation < row.generation for row in StreetLeagueSummary.objects.all()}
    assert stale == {change in LEAGUE_CHANGES}


# --- one change of each kind that reaches /streets/, made through its service ------------------
# Each returns the URL to look at and what it must now show.


def _first_project(personas):
    from renovation.projects.models import Project

    return Project.objects.filter(plan_year=PLAN, neighbourhood=personas.street_a_place).order_by("pk").first()


def _place(personas):
    from renovation.places.services import street_update

    street_update(actor=personas.bureau, street=personas.street_a_place.community.street, data={"name": "锦湖街道"})
    return f"/streets/?year={PLAN}", "锦湖街道"


def _project(personas):
    from renovation.projects.services import project_update

    project = _first_project(personas)
    project_update(actor=personas.bureau, project=project, data={"plan_year": PLAN - 3})
    return "/streets/", f'<a href="?year={PLAN - 3}">'


def _site_issue(personas):
    from renovation.supervision.services import site_issue_accept

    project = _first_project(personas)
    issue = _issue(project, _reporter(personas.street_a_place), timezone.now() - timedelta(days=3))
    site_issue_accept(actor=personas.street_a, issue=issue)
    return f"/streets/?year={PLAN}", "安阳街道"


def _satisfaction(personas):
    from renovation.consultation.models import Household
    from renovation.consultation.services import satisfaction_rate
    from renovation.projects.models import COMPLETED_STATUSES, Project

    project = Project.objects.filter(plan_year=PLAN, status__in=COMPLETED_STATUSES).order_by("pk").first()
    household = Household.objects.create(neighbourhood=project.neighbourhood, building="9", unit="9", room="909")
    satisfaction_rate(actor=personas.bureau, project=project, household=household, overall=1, scores={})
    return f"/streets/?year={PLAN}", project.neighbourhood.community.street.name


def _evaluation(personas):
    from renovation.evaluation.models import MonthlyEvaluation

    MonthlyEvaluation.objects.filter(year=timezone.localdate().year).delete()
    assert monthly_evaluations_freeze(today=timezone.localdate())
    return f"/streets/?year={PLAN}", f"{timezone.localdate().year}-01"


@pytest.mark.parametrize("make", [_place, _project, _site_issue, _satisfaction, _evaluation], ids=lambda f: f.__name__)
def test_a_change_shows_live_from_its_commit_and_stored_once_its_job_has_run(
    client, settings, personas, plan, django_capture_on_commit_callbacks, make
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    _forget_changes_rolled_back_by_earlier_tests()
    street_league_rebuild()
    _url, before_html = _page(client, f"/streets/?year={PLAN}")
    with django_capture_on_commit_callbacks(execute=True):  # committed; the job not yet run
        url, shown = make(personas)
    assert all(row.built_generation < row.generation for row in StreetLeagueSummary.objects.all())
    live, live_html = _page(client, url)
    assert not _stored(live) and shown in live_html

    _rebuild_jobs_run()
    stored, stored_html = _page(client, url)
    assert _stored(stored) and shown in stored_html
    assert stored_html == live_html
    if url == f"/streets/?year={PLAN}" and make is not _evaluation:
        assert stored_html != before_html  # the table moved with the change


def test_it_does_not_take_a_table_rendered_before_a_later_change_as_current(monkeypatch, plan):
    from renovation.evaluation import stored
    from renovation.evaluation.services import street_league_summaries_mark_stale

    render = stored._render

    def render_while_a_change_commits(*args):
        rendered = render(*args)  # from what was committed before the change
        street_league_summaries_mark_stale()
        return rendered

    monkeypatch.setattr(stored, "_render", render_while_a_change_commits)
    assert street_league_rebuild() == 0
    assert all(row.built_generation < row.generation for row in StreetLeagueSummary.objects.all())
    monkeypatch.undo()
    assert street_league_rebuild() == 2 * len(LANGUAGES)


def _resigned(content: str, **changes):
    def damage(row):
        default = changes.get("shown_by_default", row.shown_by_default)
        text = content
        return {
            "content": text,
            "signature": signature(_PURPOSE, _parts(row.plan_year, row.language, default, row.build), text),
            **changes,
        }

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        lambda row: {"content": row.content.replace("安阳街道", "<script>alert(1)</script>")},
        lambda row: {"signature": "0" * 64},  # typed into the database, or another installation's
        lambda row: {
            "signature": signature(
                _PURPOSE, _parts(row.plan_year + 1, row.language, row.shown_by_default, row.build), row.content
            )
        },  # another plan year's
        lambda row: {"shown_by_default": not row.shown_by_default},  # the default year moved by hand
        _resigned("\x80\x04\x95 an old pickle, or garbage"),
        _resigned("[]"),
        _resigned(json.dumps({"years": str(PLAN), "html": "<p>x</p>"})),
        _resigned(json.dumps({"years": [PLAN], "html": ["<p>x</p>"]})),
        _resigned(json.dumps({"html": "<p>x</p>"})),
    ],
    ids=[
        "unsigned",
        "foreign-signature",
        "another-years",
        "default-moved",
        "signed-garbage",
        "signed-list",
        "signed-years-text",
        "signed-html-not-text",
        "signed-years-missing",
    ],
)
def test_it_ignores_a_corrupted_or_foreign_row_logs_it_and_renders_live(client, plan, caplog, damage):
    street_league_rebuild()
    for row in StreetLeagueSummary.objects.all():
        StreetLeagueSummary.objects.filter(pk=row.pk).update(**damage(row))

    with caplog.at_level(logging.ERROR, logger="renovation.evaluation.stored"):
        for url in (f"/streets/?year={PLAN}", "/streets/"):
            response, html = _page(client, url)
            assert response.status_code == 200 and not _stored(response), url
            assert "<script>alert(1)</script>" not in html and "<p>x</p>" not in html
            assert "安阳街道" in html
    assert "unreadable summary in zh-hans" in caplog.text


@pytest.mark.parametrize(
    "outdated",
    [{"build": "another release"}, {"version": LEAGUE_SUMMARY_VERSION + 1}, {"valid_until": timezone.now()}],
    ids=["other-build", "other-version", "past-its-time"],
)
def test_it_renders_live_over_a_row_of_another_release_or_time(client, plan, outdated):
    street_league_rebuild()
    StreetLeagueSummary.objects.update(**outdated)
    response, html = _page(client, f"/streets/?year={PLAN}")
    assert not _stored(response) and "安阳街道" in html


def test_the_clock_rebuilds_rows_missing_stale_outdated_or_past_their_time(plan):
    rows = 2 * len(LANGUAGES)
    assert street_league_refresh() == rows  # none yet
    assert street_league_refresh() == 0
    _stale()  # a lost job
    assert street_league_refresh() == rows
    StreetLeagueSummary.objects.filter(language="en", plan_year=PLAN).update(build="another release")
    assert street_league_refresh() == rows
    StreetLeagueSummary.objects.update(valid_until=timezone.now())  # midnight
    assert street_league_refresh() == rows
    StreetLeagueSummary.objects.filter(plan_year=PLAN).delete()
    assert street_league_refresh() == rows
    assert street_league_refresh() == 0


def test_no_get_writes_whether_its_rows_are_kept_missing_or_stale(client, plan):
    def no_writes() -> None:
        recorder = WriteRecorder()
        with connection.execute_wrapper(recorder):
            for url in URLS:
                assert client.get(url).status_code == 200
        assert recorder.writes == []

    no_writes()  # no rows yet: live
    assert not StreetLeagueSummary.objects.exists()
    street_league_rebuild()
    no_writes()
    _stale()
    no_writes()


def test_its_queries_are_the_same_with_more_of_everything_and_fewer_than_live(client, personas):
    from tests.factories import NeighbourhoodFactory, ProjectFactory, StreetFactory

    _varied_plan(personas, 1)
    street_league_rebuild()
    with CaptureQueriesContext(connection) as few:
        assert _stored(client.get(f"/streets/?year={PLAN}"))
    for index in range(3):
        place = NeighbourhoodFactory(community__street=StreetFactory(name=f"街道x{index}", code=f"x{index}"))
        for _project in range(3):
            project = ProjectFactory(neighbourhood=place, plan_year=PLAN)
            _issue(project, _reporter(place), timezone.now(), timezone.now())
            _rating(project, timezone.localdate(), 4)
    monthly_evaluations_freeze(today=timezone.localdate())
    street_league_rebuild()
    with CaptureQueriesContext(connection) as many:
        assert _stored(client.get(f"/streets/?year={PLAN}"))
    _stale()
    with CaptureQueriesContext(connection) as live:
        assert not _stored(client.get(f"/streets/?year={PLAN}"))
    assert len(few) == len(many) == QUERIES_STREETS_PAGE_KEPT
    assert len(live) - len(many) == 6  # plan years, the table's four sums and the frozen months, read from one row


# The kept row (the asked plan year's and the default one, in one query).
QUERIES_STREETS_PAGE_KEPT = 1
