"""The league table's arithmetic on a street's totals and the SVG chart geometry (no database); the
rules counted over rows are in test_street_league.py."""

from datetime import date
from decimal import Decimal

from renovation.evaluation.charts import BAR_AREA, LABEL_WIDTH, bar_chart
from renovation.evaluation.league import Middle, ProjectTotals, StreetFigures, median_days, rounded, street_figures
from renovation.evaluation.services import ended_months, month_end


def test_it_rounds_half_up_to_one_decimal():
    assert rounded(Decimal("0.05")) == Decimal("0.1")
    assert rounded(Decimal("2.25")) == Decimal("2.3")
    assert rounded(None) is None


def test_median_days_is_none_without_data_and_the_mean_of_the_middle_two():
    assert median_days(None) is None
    assert median_days(Middle(43200.0, 43200.0)) == Decimal("0.5")
    assert median_days(Middle(86400.0, 3 * 86400.0)) == Decimal("2.0")


def test_a_street_line_is_figured_from_its_totals():
    totals = ProjectTotals(planned=4, started=3, completed=3, dated=3, on_time=2, delays=4, delay_days=19)
    figures = street_figures(7, totals, to_accept=None, to_rectify=Middle(0.0, 86400.0), rating_total=9, ratings=2)
    assert figures == StreetFigures(
        7, 4, 3, 3, Decimal("66.7"), Decimal("4.8"), None, Decimal("0.5"), Decimal("4.5"), 2
    )
    empty = ProjectTotals(planned=1, started=0, completed=0, dated=0, on_time=0, delays=0, delay_days=0)
    nothing = street_figures(7, empty, to_accept=None, to_rectify=None, rating_total=0, ratings=0)
    assert nothing == StreetFigures(7, 1, 0, 0, None, None, None, None, None, 0)


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
