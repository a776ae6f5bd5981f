from decimal import Decimal

import pytest
from django.utils import translation

from renovation.figures import format_percent, format_wan_yuan, format_yuan, yuan_in_capitals


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


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("873456.21", "捌拾柒万叁仟肆佰伍拾陆元贰角壹分"),
        ("1496600", "壹佰肆拾玖万陆仟陆佰元整"),
        ("100.05", "壹佰元零伍分"),
        ("10010.00", "壹万零壹拾元整"),
        ("812345.675", "捌拾壹万贰仟叁佰肆拾伍元陆角捌分"),  # half up to the fen, as the figures are
        (None, "—"),
        ("-1", "—"),
    ],
)
def test_it_writes_amounts_in_financial_capitals(amount, capitals):
    assert yuan_in_capitals(amount) == capitals
