from decimal import Decimal

import pytest
from django.utils import translation

from renovation.figures import format_percent, format_wan_yuan, format_yuan


@pytest.mark.parametrize(
    "value, expected",
    [(Decimal("1234567.8"), "1,234,567.80 元"), (0, "0.00 元"), (None, "—"), ("junk", "—")],
)
def test_it_shows_yuan(value, expected):
    assert format_yuan(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(Decimal("1234567.8"), "123.46 万元"), (Decimal("20200000"), "2,020.00 万元"), (None, "—")],
)
def test_it_shows_ten_thousands_of_yuan(value, expected):
    assert format_wan_yuan(value) == expected


def test_it_shows_money_in_english_too():
    with translation.override("en"):
        assert format_yuan(Decimal("12.5")) == "12.50 yuan"


@pytest.mark.parametrize(
    "value, expected", [(Decimal("100.00"), "100%"), (Decimal("37.50"), "37.5%"), (Decimal("0"), "0%"), (None, "—")]
)
def test_it_shows_percentages(value, expected):
    assert format_percent(value) == expected
