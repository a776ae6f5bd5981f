"""The league table's figures as the database counts them (selectors.street_league): the rules, and
the same figures as the old computation in Python (league_reference) on varied data."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from renovation.consultation.models import Household, SatisfactionRating
from renovation.evaluation.league import StreetFigures
from renovation.evaluation.selectors import day_end, street_league
from renovation.projects.models import ProjectStatus
from renovation.supervision.models import IssueCategory, SiteIssue, Supervisor
from tests.evaluation.league_reference import reference_league
from tests.factories import NeighbourhoodFactory, ProjectFactory, StreetFactory, UserFactory

pytestmark = pytest.mark.django_db

PLAN = 2026
AS_OF = date(2026, 10, 31)
END = day_end(AS_OF)  # midnight after 10-31 in Beijing


def _project(place, **fields):
    values = {"plan_year": PLAN, "status": ProjectStatus.UNDER_CONSTRUCTION, "planned_end": None}
    values.update(fields)
    return ProjectFactory(neighbourhood=place, **values)


def _reporter(place):
    user = UserFactory()
    return Supervisor.objects.create(
        user=user,
        home_neighbourhood=place,
        appointed_by="街道办",
        term_start=date(2020, 1, 1),
        term_end=date(2030, 1, 1),
    )


def _issue(project, reporter, reported, accepted=None, rectified=None):
    return SiteIssue.objects.create(
        project=project,
        reporter=reporter,
        category=IssueCategory.QUALITY,
        description="墙面开裂",
        location="1幢",
        created_at=reported,
        accepted_at=accepted,
        rectified_at=rectified,
    )


def _rating(project, rated_on, overall):
    household = Household.objects.create(
        neighbourhood=project.neighbourhood, building="1", unit="1", room=str(Household.objects.count() + 101)
    )
    return SatisfactionRating.objects.create(
        project=project, household=household, overall=overall, channel="paper", rated_on=rated_on
    )


def _league(as_of=AS_OF):
    return {row.street.name: row.figures for row in street_league(PLAN, as_of)}


def test_it_counts_planned_started_and_completed_by_their_dates(personas):
    place = personas.street_a_place
    _project(place, actual_start=AS_OF)  # started on the day
    _project(place, actual_start=AS_OF + timedelta(days=1))  # started after: not yet
    _project(place, status=ProjectStatus.ACCEPTED, actual_start=date(2026, 3, 1), actual_end=AS_OF)
    _project(place, status=ProjectStatus.AFTERCARE, actual_start=date(2026, 3, 1), actual_end=AS_OF + timedelta(1))
    _project(place, actual_start=date(2026, 3, 1), actual_end=date(2026, 5, 1))  # not accepted
    figures = _league()["安阳街道"]
    assert (figures.planned, figures.started, figures.completed) == (5, 4, 1)


def test_it_lists_only_streets_with_projects_in_the_plan_by_name(personas):
    _project(personas.street_b_place)
    _project(personas.street_a_place, plan_year=PLAN + 1)
    _project(NeighbourhoodFactory(community__street=StreetFactory(name="锦湖街道")))
    assert [row.street.name for row in street_league(PLAN, AS_OF)] == ["玉海街道", "锦湖街道"]
    assert street_league(None, AS_OF) == []


def test_it_gives_the_on_time_share_of_completed_projects_with_a_plan(personas):
    place, done = personas.street_a_place, ProjectStatus.ACCEPTED
    _project(place, status=done, planned_end=date(2026, 6, 30), actual_end=date(2026, 6, 30))  # on the day: on time
    _project(place, status=done, planned_end=date(2026, 6, 30), actual_end=date(2026, 7, 1))  # a day late
    _project(place, status=done, planned_end=date(2026, 6, 30), actual_end=date(2026, 6, 1))
    _project(place, status=done, planned_end=None, actual_end=date(2026, 6, 1))  # no plan: not counted
    assert _league()["安阳街道"].on_time_share == Decimal("66.7")


def test_it_has_no_on_time_share_and_no_delay_without_data(personas):
    _project(personas.street_a_place, planned_end=AS_OF)  # due on the day itself: not late yet
    figures = _league()["安阳街道"]
    assert (figures.on_time_share, figures.average_delay_days) == (None, None)


def test_it_averages_the_delay_of_due_and_completed_projects(personas):
    place, done = personas.street_a_place, ProjectStatus.ACCEPTED
    _project(place, status=done, planned_end=date(2026, 6, 30), actual_end=date(2026, 7, 10))  # 10 late
    _project(place, status=done, planned_end=date(2026, 6, 30), actual_end=date(2026, 6, 1))  # 0
    _project(place, planned_end=AS_OF - timedelta(days=5))  # open, 5 days overdue
    _project(place, status=done, planned_end=AS_OF - timedelta(days=4), actual_end=AS_OF + timedelta(3))  # open: 4
    _project(place, planned_end=AS_OF + timedelta(days=30))  # not due: not counted
    assert _league()["安阳街道"].average_delay_days == Decimal("4.8")


def test_it_takes_median_days_to_accept_and_rectify_by_the_day(personas):
    project = _project(personas.street_a_place)
    reporter = _reporter(personas.street_a_place)
    reported = datetime(2026, 10, 1, tzinfo=timezone.get_current_timezone())
    _issue(project, reporter, reported, reported + timedelta(days=1), reported + timedelta(days=3))  # 1 and 2
    _issue(project, reporter, reported, reported + timedelta(days=2))  # 2
    _issue(project, reporter, reported, reported + timedelta(days=3), END)  # 3; rectified at the end: not yet
    _issue(project, reporter, reported, END + timedelta(hours=1))  # accepted after the day: not counted
    _issue(project, reporter, END, END + timedelta(hours=1))  # reported after the day: not counted
    figures = _league()["安阳街道"]
    assert (figures.median_days_to_accept, figures.median_days_to_rectify) == (Decimal("2.0"), Decimal("2.0"))
    _issue(project, reporter, reported, reported + timedelta(hours=12), reported + timedelta(days=4, hours=12))
    figures = _league()["安阳街道"]  # four to accept: 0.5, 1, 2, 3; two to rectify: 2, 4
    assert (figures.median_days_to_accept, figures.median_days_to_rectify) == (Decimal("1.5"), Decimal("3.0"))


def test_it_averages_satisfaction_given_by_the_day(personas):
    project = _project(personas.street_a_place)
    _rating(project, AS_OF, 5)
    _rating(project, date(2026, 1, 1), 4)
    _rating(project, AS_OF + timedelta(days=1), 1)
    _rating(_project(personas.street_b_place), AS_OF, 1)
    figures = _league()["安阳街道"]
    assert (figures.satisfaction, figures.ratings) == (Decimal("4.5"), 2)


def test_a_street_with_nothing_measured_shows_no_figures(personas):
    project = _project(personas.street_a_place)
    assert street_league(PLAN, AS_OF)[0].figures == StreetFigures(
        project.neighbourhood.community.street_id, 1, 0, 0, None, None, None, None, None, 0
    )


def _varied_plan(personas, seed: int) -> None:
    """Projects of every status and date around the days measured, issues at odd instants (down to
    the microsecond), ratings of every score, over four streets and two plan years."""
    chance = random.Random(seed)
    places = [personas.street_a_place, personas.street_b_place]
    places += [NeighbourhoodFactory(community__street=StreetFactory(name=f"街道{seed}-{index}")) for index in range(2)]
    reporter = _reporter(places[0])
    statuses = [*ProjectStatus, *[ProjectStatus.ACCEPTED, ProjectStatus.AFTERCARE] * 4]  # many completed
    zone = timezone.get_current_timezone()

    def day() -> date | None:
        return None if chance.random() < 0.15 else date(2026, 1, 1) + timedelta(days=chance.randrange(0, 365))

    for place in places[: 3 if seed % 2 else 4]:  # a street with no project in one plan
        for _index in range(chance.randrange(1, 7)):
            start, end = day(), day()
            if start and end and end < start:  # the database holds completion after start
                start, end = end, start
            project = _project(
                place,
                plan_year=chance.choice([PLAN, PLAN, PLAN, PLAN + 1]),
                status=chance.choice(statuses),
                planned_end=day(),
                actual_start=start,
                actual_end=end,
            )
            for _issue_index in range(chance.randrange(0, 6)):
                reported = datetime(2026, 8, 1, tzinfo=zone) + timedelta(seconds=chance.randrange(0, 120 * 86400))
                reported += timedelta(microseconds=chance.randrange(0, 10**6))
                accepted = rectified = None
                if chance.random() < 0.8:
                    accepted = reported + timedelta(seconds=chance.randrange(60, 20 * 86400), microseconds=7)
                    if chance.random() < 0.7:
                        rectified = accepted + timedelta(seconds=chance.randrange(60, 40 * 86400))
                _issue(project, reporter, reported, accepted, rectified)
            for _rating_index in range(chance.randrange(0, 5)):
                _rating(project, day() or date(2026, 12, 31), chance.randrange(1, 6))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_it_shows_what_counting_every_row_in_python_showed(personas, seed):
    _varied_plan(personas, seed)
    for as_of in (date(2026, 1, 1), date(2026, 6, 30), date(2026, 9, 15), AS_OF, date(2026, 12, 31), date(2027, 3, 1)):
        for plan_year in (PLAN, PLAN + 1):
            expected = reference_league(plan_year, as_of)
            shown = [(row.street.name, row.figures) for row in street_league(plan_year, as_of)]
            assert shown == expected, (plan_year, as_of)
    figures = [row.figures for row in street_league(PLAN, date(2027, 3, 1))]
    assert any(row.median_days_to_rectify is not None for row in figures)  # the data reached every figure
    assert any(row.on_time_share is not None for row in figures)
    assert any(row.satisfaction is not None for row in figures)


def test_more_data_is_counted_in_the_same_queries(personas, client):
    """The benchmark's generator (tests/benchmarks/public_data.py) copies the site issues and the
    ratings with their projects: three times everything the table counts (the benchmark runs ten;
    the generator's Wagtail pages make ten slow in the suite), the same figures but the counts, in
    the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.benchmarks.public_data import multiply

    factor = 3

    _varied_plan(personas, 5)
    before = _league(AS_OF)
    client.get(f"/streets/?year={PLAN}")
    with CaptureQueriesContext(connection) as demo:
        client.get(f"/streets/?year={PLAN}")
    issues, ratings = SiteIssue.objects.count(), SatisfactionRating.objects.count()
    multiply(factor)
    assert (SiteIssue.objects.count(), SatisfactionRating.objects.count()) == (factor * issues, factor * ratings)
    with CaptureQueriesContext(connection) as more:
        client.get(f"/streets/?year={PLAN}")
    assert len(demo) == len(more)
    after = _league(AS_OF)
    assert after.keys() == before.keys()
    for name, figures in after.items():
        counts = (figures.planned, figures.started, figures.completed, figures.ratings)
        assert counts == tuple(
            factor * count
            for count in (before[name].planned, before[name].started, before[name].completed, before[name].ratings)
        )
        assert (figures.on_time_share, figures.average_delay_days, figures.satisfaction) == (
            before[name].on_time_share,
            before[name].average_delay_days,
            before[name].satisfaction,
        )
        assert (figures.median_days_to_accept, figures.median_days_to_rectify) == (
            before[name].median_days_to_accept,
            before[name].median_days_to_rectify,
        )
