"""How progress adds up: the budget-weighted mean of the work items, to two decimals, half up."""

from decimal import Decimal

from renovation.projects.progress import weighted_progress


def _d(*pairs):
    return [(Decimal(budget), Decimal(progress)) for budget, progress in pairs]


def test_it_weights_each_item_by_its_budget():
    # A plain average would be 50.00; the budget-weighted mean is (300*100 + 100*0) / 400 = 75.00.
    assert weighted_progress(_d(("300", "100"), ("100", "0"))) == Decimal("75.00")


def test_it_counts_items_equally_when_none_has_a_budget():
    assert weighted_progress(_d(("0", "100"), ("0", "20"), ("0", "0"))) == Decimal("40.00")


def test_it_ignores_items_without_budget_when_others_have_one():
    assert weighted_progress(_d(("1", "30"), ("0", "100"))) == Decimal("30.00")


def test_it_is_zero_without_work_items():
    result = weighted_progress([])
    assert result == Decimal("0")
    assert isinstance(result, Decimal)


def test_it_rounds_to_two_decimals_half_up():
    # 0.125 exactly: half up gives 0.13 (half even would give 0.12).
    assert weighted_progress(_d(("1", "0.125"))) == Decimal("0.13")
    assert str(weighted_progress(_d(("1", "0.125")))) == "0.13"
    # Equal weights: (0 + 0.25) / 2 = 0.125 → 0.13.
    assert weighted_progress(_d(("0", "0"), ("0", "0.25"))) == Decimal("0.13")
    assert weighted_progress(_d(("1", "33.333"))) == Decimal("33.33")


def test_it_accepts_any_iterable_once():
    assert weighted_progress(iter(_d(("2", "50"), ("2", "100")))) == Decimal("75.00")
