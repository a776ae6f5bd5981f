"""The league table's arithmetic and the SVG chart geometry (no database)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from renovation.evaluation.charts import BAR_AREA, LABEL_WIDTH, bar_chart
from renovation.evaluation.league import IssueRow, ProjectRow, StreetFigures, league, median_days, rounded
from renovation.evaluation.services import ended_months, month_end

AS_OF = date(2026, 10, 31)
END = datetime(2026, 10, 31, 16, tzinfo=UTC)  # midnight after 10-31 in Beijing


def _league(projects=(), issues=(), ratings=(), streets=(1,)):
    return league(streets=streets, projects=projects, issues=issues, ratings=ratings, as_of=AS_OF, end=END)


def _project(**fields):
    values = {"street": 1, "completed": False, "planned_end": None, "actual_start": None, "actual_end": None}
    values.update(fields)
    return ProjectRow(**values)


def test_it_counts_planned_started_and_completed_by_their_dates():
    rows = [
        _project(actual_start=AS_OF),  # started on the day
        _project(actual_start=AS_OF + timedelta(days=1)),  # started after: not yet
        _project(completed=True, actual_start=date(2026, 3, 1), actual_end=AS_OF),
        _project(completed=True, actual_start=date(2026, 3, 1), actual_end=AS_OF + timedelta(days=1)),
        _project(completed=False, actual_start=date(2026, 3, 1), actual_end=date(2026, 5, 1)),  # not accepted
    ]
    [row] = _league(rows)
    assert (row.planned, row.started, row.completed) == (5, 4, 1)


def test_it_leaves_out_streets_without_projects():
    assert _league([_project(street=2)], streets=(1, 2))[0].street == 2
    assert len(_league([_project(street=2)], streets=(1, 2))) == 1


def test_it_gives_the_on_time_share_of_completed_projects_with_a_plan():
    rows = [
        _project(completed=True, planned_end=date(2026, 6, 30), actual_end=date(2026, 6, 30)),  # on the day: on time
        _project(completed=True, planned_end=date(2026, 6, 30), actual_end=date(2026, 7, 1)),  # a day late
        _project(completed=True, planned_end=date(2026, 6, 30), actual_end=date(2026, 6, 1)),
        _project(completed=True, planned_end=None, actual_end=date(2026, 6, 1)),  # no plan: not counted
    ]
    [row] = _league(rows)
    assert row.on_time_share == Decimal("66.7")


def test_it_has_no_on_time_share_and_no_delay_without_data():
    [row] = _league([_project(planned_end=AS_OF)])  # due on the day itself: not late yet
    assert row.on_time_share is None
    assert row.average_delay_days is None


def test_it_averages_the_delay_of_due_and_completed_projects():
    rows = [
        _project(completed=True, planned_end=date(2026, 6, 30), actual_end=date(2026, 7, 10)),  # 10 late
        _project(completed=True, planned_end=date(2026, 6, 30), actual_end=date(2026, 6, 1)),  # 0
        _project(planned_end=AS_OF - timedelta(days=5)),  # open, 5 days overdue
        _project(planned_end=AS_OF + timedelta(days=30)),  # not due: not counted
    ]
    [row] = _league(rows)
    assert row.average_delay_days == Decimal("5.0")


def test_it_rounds_half_up_to_one_decimal():
    assert rounded(Decimal("0.05")) == Decimal("0.1")
    assert rounded(Decimal("2.25")) == Decimal("2.3")
    assert rounded(None) is None


def test_it_takes_median_days_to_accept_and_rectify_by_the_day():
    reported = datetime(2026, 10, 1, tzinfo=UTC)
    issues = [
        IssueRow(1, reported, reported + timedelta(days=1), reported + timedelta(days=3)),  # 1 and 2
        IssueRow(1, reported, reported + timedelta(days=2), None),  # 2
        IssueRow(1, reported, reported + timedelta(days=3), END),  # 3; rectified at the end: not yet
        IssueRow(1, reported, END + timedelta(hours=1), None),  # accepted after the day: not counted
        IssueRow(1, END, END + timedelta(hours=1), None),  # reported after the day: not counted
    ]
    [row] = _league([_project()], issues)
    assert row.median_days_to_accept == Decimal("2.0")
    assert row.median_days_to_rectify == Decimal("2.0")


def test_median_days_is_none_without_data():
    assert median_days([]) is None
    assert median_days([43200.0]) == Decimal("0.5")


def test_it_averages_satisfaction_given_by_the_day():
    ratings = [(1, AS_OF, 5), (1, date(2026, 1, 1), 4), (1, AS_OF + timedelta(days=1), 1), (2, AS_OF, 1)]
    [row] = _league([_project()], ratings=ratings)
    assert (row.satisfaction, row.ratings) == (Decimal("4.5"), 2)


def test_a_street_with_nothing_measured_shows_no_figures():
    [row] = _league([_project()])
    assert row == StreetFigures(1, 1, 0, 0, None, None, None, None, None, 0)


def test_it_draws_bars_to_scale_with_their_values_written():
    chart = bar_chart(
        key="k",
        title="t",
        description="d",
        values=[("安阳", Decimal("50"), "50%"), ("玉海", None, "—"), ("锦湖", Decimal("150"), "150%")],
        scale=100,
    )
    assert [bar.width for bar in chart.bars] == [BAR_AREA / 2, 0.0, BAR_AREA]  # capped at the full length
    assert [bar.text for bar in chart.bars] == ["50%", "—", "150%"]
    assert chart.bars[0].text_x == LABEL_WIDTH + BAR_AREA / 2 + 6
    assert [bar.y for bar in chart.bars] == [0, 32, 64]
    assert chart.height == 96


def test_it_scales_to_the_largest_value_without_a_scale_and_survives_no_values():
    chart = bar_chart(key="k", title="t", description="d", values=[("a", 10, "10"), ("b", 40, "40")], scale=0)
    assert [bar.width for bar in chart.bars] == [BAR_AREA / 4, BAR_AREA]
    empty = bar_chart(key="k", title="t", description="d", values=[("a", None, "—")], scale=0)
    assert empty.bars[0].width == 0.0
    assert bar_chart(key="k", title="t", description="d", values=[], scale=0).height == 32


def test_months_end_on_their_last_day():
    assert month_end(2026, 2) == date(2026, 2, 28)
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2026, 12) == date(2026, 12, 31)


def test_a_month_has_ended_only_after_its_last_day():
    assert ended_months(date(2026, 9, 1), date(2026, 10, 31)) == [(2026, 9)]
    assert ended_months(date(2026, 9, 1), date(2026, 11, 1)) == [(2026, 9), (2026, 10)]
    assert ended_months(date(2025, 12, 1), date(2026, 2, 1)) == [(2025, 12), (2026, 1)]
    assert ended_months(date(2026, 11, 1), date(2026, 11, 29)) == []
