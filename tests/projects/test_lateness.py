"""The lateness arithmetic, boundary by boundary (no database)."""

from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from decimal import Decimal

import pytest

from renovation.projects.lateness import (
    FORECAST_DONE,
    FORECAST_NO_DATA,
    FORECAST_NO_PACE,
    WARNING_FORECAST_LATE,
    WARNING_NOT_STARTED,
    WARNING_OVERDUE,
    WARNING_STALLED,
    Forecast,
    Lateness,
    ProgressPoint,
    assess,
    completion_delay,
    days_after,
    forecast_finish,
    item_points,
    project_points,
)

D = Decimal
TODAY = date(2026, 11, 29)


def _assess(**overrides):
    arguments = {
        "today": TODAY,
        "planned_start": None,
        "planned_end": None,
        "actual_start": None,
        "complete": False,
        "progress": D("0"),
        "under_construction": False,
        "points": [],
        "last_confirmed": None,
        "stall_days": 30,
    }
    arguments.update(overrides)
    return assess(**arguments)


def _point(day: date, percent: str) -> ProgressPoint:
    return ProgressPoint(day, D(percent))


# --- 逾期 N 天 ---------------------------------------------------------------------------------


def test_it_is_not_overdue_on_the_planned_completion_day():
    assert _assess(planned_end=TODAY).overdue_days == 0


def test_it_is_overdue_one_day_the_day_after():
    assert _assess(planned_end=TODAY - timedelta(days=1)).overdue_days == 1


def test_it_counts_calendar_days_overdue():
    assert _assess(planned_end=date(2026, 10, 3)).overdue_days == 57


def test_it_is_not_overdue_before_the_planned_completion():
    assert _assess(planned_end=TODAY + timedelta(days=5)).overdue_days == 0


def test_it_is_never_overdue_without_a_planned_completion():
    assert _assess(planned_end=None).overdue_days == 0


def test_it_gives_no_warning_once_complete():
    late = _assess(
        planned_start=date(2025, 1, 1),
        planned_end=date(2025, 6, 1),
        complete=True,
        under_construction=True,
        last_confirmed=date(2025, 1, 1),
        points=[_point(date(2025, 1, 1), "10"), _point(date(2025, 2, 1), "20")],
    )
    assert late == Lateness(0, 0, 0, Forecast(None, FORECAST_DONE), 0)
    assert late.warnings == []
    assert late.is_late is False


# --- 未按期开工 ---------------------------------------------------------------------------------


def test_it_is_not_late_to_start_on_the_planned_start_day():
    assert _assess(planned_start=TODAY).late_start_days == 0


def test_it_is_late_to_start_the_day_after_the_planned_start():
    assert _assess(planned_start=TODAY - timedelta(days=1)).late_start_days == 1


def test_it_is_not_late_to_start_once_started_by_date():
    assert _assess(planned_start=TODAY - timedelta(days=9), actual_start=TODAY).late_start_days == 0


def test_it_is_not_late_to_start_once_progress_is_confirmed():
    assert _assess(planned_start=TODAY - timedelta(days=9), progress=D("0.01")).late_start_days == 0


def test_it_is_late_to_start_with_zero_progress():
    assert _assess(planned_start=TODAY - timedelta(days=9), progress=D("0")).late_start_days == 9


# --- 进度停滞 -----------------------------------------------------------------------------------


def test_it_is_stalled_exactly_at_the_stall_days():
    late = _assess(under_construction=True, last_confirmed=TODAY - timedelta(days=30), stall_days=30)
    assert late.stalled_days == 30


def test_it_is_not_stalled_a_day_before_the_stall_days():
    late = _assess(under_construction=True, last_confirmed=TODAY - timedelta(days=29), stall_days=30)
    assert late.stalled_days == 0


def test_it_follows_the_stall_days_setting():
    late = _assess(under_construction=True, last_confirmed=TODAY - timedelta(days=7), stall_days=7)
    assert late.stalled_days == 7


def test_it_counts_the_stall_from_the_actual_start_before_any_confirmation():
    late = _assess(under_construction=True, actual_start=TODAY - timedelta(days=40))
    assert late.stalled_days == 40


def test_the_last_confirmation_restarts_the_stall_clock():
    late = _assess(
        under_construction=True, actual_start=TODAY - timedelta(days=90), last_confirmed=TODAY - timedelta(days=3)
    )
    assert late.stalled_days == 0


def test_it_is_never_stalled_outside_construction():
    late = _assess(under_construction=False, last_confirmed=TODAY - timedelta(days=300))
    assert late.stalled_days == 0


def test_it_cannot_say_stalled_without_any_date():
    assert _assess(under_construction=True, stall_days=0).stalled_days == 0


def test_a_zero_stall_setting_flags_a_project_confirmed_yesterday():
    late = _assess(under_construction=True, last_confirmed=TODAY - timedelta(days=1), stall_days=0)
    assert late.stalled_days == 1


# --- 预计完工 -----------------------------------------------------------------------------------


def test_it_needs_two_points_for_a_forecast():
    assert forecast_finish([]) == Forecast(None, FORECAST_NO_DATA)
    assert forecast_finish([_point(TODAY, "40")]) == Forecast(None, FORECAST_NO_DATA)


def test_it_needs_points_on_different_days():
    assert forecast_finish([_point(TODAY, "10"), _point(TODAY, "40")]) == Forecast(None, FORECAST_NO_DATA)


def test_it_says_so_when_progress_did_not_rise():
    points = [_point(date(2026, 6, 1), "56.5"), _point(date(2026, 7, 1), "56.5")]
    assert forecast_finish(points) == Forecast(None, FORECAST_NO_PACE)


def test_it_says_so_when_progress_fell():
    points = [_point(date(2026, 6, 1), "60"), _point(date(2026, 7, 1), "50")]
    assert forecast_finish(points) == Forecast(None, FORECAST_NO_PACE)


def test_it_forecasts_at_the_pace_between_first_and_last_point():
    # 20% → 60% in 10 days: 4% a day, 40% to go → 10 more days.
    points = [_point(date(2026, 3, 1), "20"), _point(date(2026, 3, 5), "30"), _point(date(2026, 3, 11), "60")]
    assert forecast_finish(points) == Forecast(date(2026, 3, 21))
    assert forecast_finish(points).reason == ""


def test_it_forecasts_from_a_gain_of_less_than_one_point():
    # 50% → 50.5% in 10 days: 0.05% a day, 49.5% to go → 990 more days.
    points = [_point(date(2026, 3, 1), "50"), _point(date(2026, 3, 11), "50.5")]
    assert forecast_finish(points).finish == date(2026, 3, 11) + timedelta(days=990)


def test_it_rounds_the_days_still_needed_up():
    # 0% → 30% in 10 days: 70% to go needs 23.33 days → 24.
    points = [_point(date(2026, 3, 1), "0"), _point(date(2026, 3, 11), "30")]
    assert forecast_finish(points).finish == date(2026, 4, 4)


def test_it_does_not_round_an_exact_number_of_days():
    # 0% → 50% in 10 days: 50% to go needs exactly 10 days.
    points = [_point(date(2026, 3, 1), "0"), _point(date(2026, 3, 11), "50")]
    assert forecast_finish(points).finish == date(2026, 3, 21)


def test_it_forecasts_nothing_once_the_last_point_is_complete():
    points = [_point(date(2026, 3, 1), "50"), _point(date(2026, 3, 11), "100")]
    assert forecast_finish(points) == Forecast(None, FORECAST_DONE)


def test_one_complete_point_is_done_not_missing_data():
    assert forecast_finish([_point(TODAY, "100")]) == Forecast(None, FORECAST_DONE)


def test_it_just_under_complete_still_forecasts():
    points = [_point(date(2026, 3, 1), "0"), _point(date(2026, 3, 11), "99.99")]
    assert forecast_finish(points).finish == date(2026, 3, 12)


def test_it_warns_when_the_forecast_finish_is_after_the_planned_completion():
    points = [_point(date(2026, 3, 1), "0"), _point(date(2026, 3, 11), "50")]  # finishes 3-21
    assert _assess(points=points, planned_end=date(2026, 3, 20)).forecast_late_days == 1
    assert _assess(points=points, planned_end=date(2026, 3, 21)).forecast_late_days == 0
    assert _assess(points=points, planned_end=None).forecast_late_days == 0


# --- warnings ---------------------------------------------------------------------------------


def test_it_lists_every_warning_in_order_with_its_days():
    late = Lateness(3, 4, 5, Forecast(None, FORECAST_NO_DATA), 6)
    assert late.warnings == [
        (WARNING_OVERDUE, 3),
        (WARNING_NOT_STARTED, 4),
        (WARNING_STALLED, 5),
        (WARNING_FORECAST_LATE, 6),
    ]
    assert late.is_late is True


def test_the_kinds_are_the_words_the_templates_and_styles_use():
    # projects/lateness.html, lateness_flag.html and site.css match these exact strings.
    assert [WARNING_OVERDUE, WARNING_NOT_STARTED, WARNING_STALLED, WARNING_FORECAST_LATE] == [
        "overdue",
        "not_started",
        "stalled",
        "forecast_late",
    ]
    assert [FORECAST_DONE, FORECAST_NO_DATA, FORECAST_NO_PACE] == ["done", "no_data", "no_pace"]


def test_its_results_are_values_that_cannot_be_changed():
    late = _assess(planned_end=TODAY - timedelta(days=2))
    point = _point(TODAY, "1")
    with pytest.raises(FrozenInstanceError):
        late.overdue_days = 0
    with pytest.raises(FrozenInstanceError):
        late.forecast.finish = TODAY
    with pytest.raises(FrozenInstanceError):
        point.percent = D("2")


def test_it_leaves_out_warnings_of_zero_days():
    late = Lateness(0, 1, 0, Forecast(None, FORECAST_NO_DATA), 0)
    assert late.warnings == [(WARNING_NOT_STARTED, 1)]


def test_a_subject_on_plan_has_no_warning():
    late = _assess(planned_start=TODAY - timedelta(days=5), planned_end=TODAY, actual_start=TODAY)
    assert late.warnings == []
    assert late.is_late is False


# --- helpers ----------------------------------------------------------------------------------


def test_days_after_is_never_negative_and_zero_without_a_date():
    assert days_after(TODAY, TODAY + timedelta(days=3)) == 0
    assert days_after(TODAY, TODAY - timedelta(days=3)) == 3
    assert days_after(TODAY, None) == 0


@pytest.mark.parametrize(
    ("planned", "actual", "delay"),
    [
        (date(2026, 5, 1), date(2026, 5, 1), 0),
        (date(2026, 5, 1), date(2026, 4, 20), 0),
        (date(2026, 5, 1), date(2026, 5, 2), 1),
        (None, date(2026, 5, 2), None),
        (date(2026, 5, 1), None, None),
    ],
)
def test_it_measures_the_delay_of_a_finished_subject(planned, actual, delay):
    assert completion_delay(planned, actual) == delay


def test_it_replays_project_progress_from_its_items_reports():
    budgets = {1: D("300"), 2: D("100")}
    reports = [
        (2, date(2026, 3, 10), D("100")),
        (1, date(2026, 3, 1), D("10")),
        (1, date(2026, 3, 10), D("20")),  # same day: the later confirmation stands
        (9, date(2026, 3, 5), D("80")),  # not one of the project's items
    ]
    assert project_points(budgets, reports) == [
        _point(date(2026, 3, 1), "7.50"),  # 300 × 10 / 400
        _point(date(2026, 3, 10), "40.00"),  # (300 × 20 + 100 × 100) / 400
    ]


def test_it_replays_reports_in_date_order_not_by_percent():
    # Item 2's 10% on 3-10 comes after item 1's 50% on 3-1, whatever the percentages.
    budgets = {1: D("100"), 2: D("100")}
    reports = [(2, date(2026, 3, 10), D("10")), (1, date(2026, 3, 1), D("50"))]
    assert project_points(budgets, reports) == [_point(date(2026, 3, 1), "25.00"), _point(date(2026, 3, 10), "30.00")]


def test_it_weights_replayed_items_equally_without_budgets():
    assert project_points({1: D("0"), 2: D("0")}, [(1, TODAY, D("50"))]) == [_point(TODAY, "25.00")]


def test_it_replays_nothing_without_reports():
    assert project_points({1: D("10")}, []) == []


def test_the_later_confirmation_of_a_day_stands_even_when_lower():
    assert item_points([(date(2026, 3, 2), D("35")), (date(2026, 3, 2), D("30"))]) == [_point(date(2026, 3, 2), "30")]


def test_an_items_points_keep_the_last_report_of_each_day_in_date_order():
    reports = [(date(2026, 3, 2), D("30")), (date(2026, 3, 1), D("10")), (date(2026, 3, 2), D("35"))]
    assert item_points(reports) == [_point(date(2026, 3, 1), "10"), _point(date(2026, 3, 2), "35")]
