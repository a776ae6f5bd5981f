"""The red-flag checks on crafted opened tenders, each with a case just outside its threshold."""

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from renovation.tendering.redflags import (
    CEILING_CLUSTER,
    DOMINANT_WINNER,
    IDENTICAL,
    NEAR_IDENTICAL,
    REBID_SAME_BIDDERS,
    SAME_BIDDERS,
    Flag,
    OpenedBid,
    OpenedTender,
    Thresholds,
    all_flags,
    amount_flags,
    ceiling_flags,
    flags_about,
    near_identical,
    rebid_flags,
    same_bidder_flags,
    winner_flags,
)

D = Decimal
SHARE = D("0.001")
A, B, C, E = (OpenedBid(f"code-{name}", f"{name}公司", D("0")) for name in "ABCE")


def bid(company: OpenedBid, amount: str) -> OpenedBid:
    return OpenedBid(company.bidder, company.name, D(amount))


def tender(pk: int, *bids: OpenedBid, street: int = 1, ceiling: str = "1000000", **fields) -> OpenedTender:
    return OpenedTender(pk=pk, code=f"T{pk}", street=street, ceiling=D(ceiling), bids=tuple(bids), **fields)


# --- identical and near-identical amounts (guide: identical bids; Cardinal R028) ---------------


def test_it_flags_identical_amounts_from_different_companies():
    flags = amount_flags(tender(1, bid(A, "871000.00"), bid(B, "871000.00"), bid(C, "820000")), SHARE)
    assert flags == [Flag(IDENTICAL, (1,), ("A公司", "B公司"), (D("871000.00"), D("871000.00")))]
    assert flags[0].tender_codes == ("T1",)
    assert (flags[0].count, flags[0].total) == (0, 0)
    assert flags[0].links == [(1, "T1")]


def test_it_flags_amounts_exactly_at_the_near_identical_share():
    # 1,000 yuan apart on 1,000,000: exactly 0.1% of the higher bid.
    flags = amount_flags(tender(1, bid(A, "999000"), bid(B, "1000000")), SHARE)
    assert [(flag.code, flag.companies) for flag in flags] == [(NEAR_IDENTICAL, ("A公司", "B公司"))]


def test_it_leaves_amounts_just_outside_the_share():
    assert amount_flags(tender(1, bid(A, "998999.99"), bid(B, "1000000")), SHARE) == []


def test_it_measures_the_share_against_the_higher_bid_in_either_order():
    assert near_identical(D("1000000"), D("999000"), SHARE)
    assert near_identical(D("999000"), D("1000000"), SHARE)
    assert not near_identical(D("998999.99"), D("1000000"), SHARE)
    assert not near_identical(D("1000000"), D("998999.99"), SHARE)


def test_a_zero_share_flags_only_identical_amounts():
    assert amount_flags(tender(1, bid(A, "500000.01"), bid(B, "500000")), D("0")) == []
    assert [flag.code for flag in amount_flags(tender(1, bid(A, "5"), bid(B, "5")), D("0"))] == [IDENTICAL]


def test_it_flags_every_pair_of_a_trio():
    flags = amount_flags(tender(1, bid(A, "700000"), bid(B, "700000"), bid(C, "700000")), SHARE)
    assert [flag.companies for flag in flags] == [("A公司", "B公司"), ("A公司", "C公司"), ("B公司", "C公司")]


def test_the_same_company_twice_is_not_a_flag():
    assert amount_flags(tender(1, bid(A, "700000"), bid(A, "700000")), SHARE) == []


def test_a_single_bid_or_none_has_no_amount_flag():
    assert amount_flags(tender(1, bid(A, "700000")), SHARE) == []
    assert amount_flags(tender(1), SHARE) == []


# --- clustered under the ceiling --------------------------------------------------------------


def test_it_flags_most_bids_just_under_the_ceiling():
    flags = ceiling_flags(tender(1, bid(A, "990000"), bid(B, "985000"), bid(C, "700000")), D("0.02"))
    assert flags == [Flag(CEILING_CLUSTER, (1,), ("A公司", "B公司"), (D("1000000"),), count=2, total=3)]


def test_a_bid_exactly_at_the_band_and_at_the_ceiling_count_as_near():
    flags = ceiling_flags(tender(1, bid(A, "980000"), bid(B, "1000000")), D("0.02"))
    assert [(flag.count, flag.total) for flag in flags] == [(2, 2)]


def test_a_bid_just_below_the_band_is_not_near_the_ceiling():
    assert ceiling_flags(tender(1, bid(A, "979999.99"), bid(B, "1000000")), D("0.02")) == []


def test_half_of_the_bids_near_the_ceiling_is_not_most():
    bids = (bid(A, "990000"), bid(B, "995000"), bid(C, "700000"), bid(E, "650000"))
    assert ceiling_flags(tender(1, *bids), D("0.02")) == []


def test_one_bid_near_the_ceiling_is_no_cluster():
    assert ceiling_flags(tender(1, bid(A, "999000")), D("0.02")) == []


# --- the same small set of bidders across a street's tenders ----------------------------------


def _trio(pk: int, street: int = 1, *companies: OpenedBid) -> OpenedTender:
    return tender(pk, *(bid(company, str(800000 + pk)) for company in companies or (A, B, C)), street=street)


def test_it_flags_the_same_set_on_three_tenders_of_a_street():
    flags = same_bidder_flags([_trio(1), _trio(2), _trio(3)], small_set=4, minimum=3)
    assert flags == [Flag(SAME_BIDDERS, (1, 2, 3), ("A公司", "B公司", "C公司"), count=3)]
    assert flags[0].tender_codes == ("T1", "T2", "T3")


def test_a_set_below_the_minimum_does_not_hide_the_next_one():
    tenders = [_trio(1, 1, A, B, E), _trio(2), _trio(3), _trio(4)]
    assert [flag.tenders for flag in same_bidder_flags(tenders, small_set=4, minimum=3)] == [(2, 3, 4)]


def test_two_tenders_with_the_same_set_are_below_the_minimum():
    assert same_bidder_flags([_trio(1), _trio(2), _trio(3, 1, A, B, E)], small_set=4, minimum=3) == []


def test_the_same_set_in_different_streets_is_not_counted_together():
    assert same_bidder_flags([_trio(1, 1), _trio(2, 1), _trio(3, 2)], small_set=4, minimum=3) == []


def test_a_set_larger_than_small_is_not_flagged_and_one_at_the_size_is():
    bigger = [_trio(pk, 1, A, B, C, E) for pk in (1, 2, 3)]
    assert same_bidder_flags(bigger, small_set=3, minimum=3) == []
    assert [flag.count for flag in same_bidder_flags(bigger, small_set=4, minimum=3)] == [3]


def test_a_lone_bidder_is_no_set():
    lone = [tender(pk, bid(A, "900000")) for pk in (1, 2, 3)]
    assert same_bidder_flags(lone, small_set=4, minimum=3) == []


# --- one company winning most of a street's tenders -------------------------------------------


def _won(pk: int, winner: OpenedBid, street: int = 1) -> OpenedTender:
    return tender(pk, bid(A, "900000"), bid(B, "910000"), street=street, winner=winner.bidder)


def test_it_flags_a_company_winning_more_than_half():
    flags = winner_flags([_won(1, A), _won(2, A), _won(3, B)], minimum=3)
    assert flags == [Flag(DOMINANT_WINNER, (1, 2), ("A公司",), count=2, total=3)]
    assert flags[0].tender_codes == ("T1", "T2")


def test_a_street_without_a_flag_does_not_hide_the_next_street():
    few = [_won(1, A, 1)]  # street 1: too few awards
    split = [_won(2, A, 2), _won(3, B, 2), _won(4, A, 2), _won(5, B, 2)]  # street 2: no majority
    most = [_won(6, B, 3), _won(7, B, 3), _won(8, A, 3)]  # street 3: B won two of three
    assert [flag.tenders for flag in winner_flags(few + split + most, minimum=3)] == [(6, 7)]


def test_exactly_half_is_not_most():
    assert winner_flags([_won(1, A), _won(2, A), _won(3, B), _won(4, B)], minimum=3) == []


def test_too_few_awards_say_nothing():
    assert winner_flags([_won(1, A), _won(2, A)], minimum=3) == []


def test_tenders_without_a_winner_do_not_count():
    unawarded = tender(3, bid(A, "1"), bid(B, "2"))
    assert winner_flags([_won(1, A), _won(2, A), unawarded], minimum=3) == []


def test_winners_are_counted_per_street():
    assert winner_flags([_won(1, A, 1), _won(2, A, 1), _won(3, A, 2)], minimum=3) == []


# --- failed and re-announced with the same bidders --------------------------------------------


def test_it_flags_a_reannouncement_with_the_same_bidders():
    failed = tender(1, bid(A, "900000"), bid(B, "950000"), failed=True)
    again = tender(2, bid(B, "940000"), bid(A, "930000"), previous=1)
    assert rebid_flags([failed, again]) == [Flag(REBID_SAME_BIDDERS, (1, 2), ("A公司", "B公司"))]


def test_a_reannouncement_with_another_bidder_is_not_flagged():
    failed = tender(1, bid(A, "900000"), bid(B, "950000"), failed=True)
    again = tender(2, bid(A, "930000"), bid(B, "940000"), bid(C, "950000"), previous=1)
    assert rebid_flags([failed, again]) == []


def test_a_rebid_with_other_bidders_does_not_hide_the_next_one():
    first = tender(1, bid(A, "900000"), bid(B, "950000"), failed=True)
    other = tender(2, bid(C, "930000"), bid(B, "940000"), previous=1)
    second = tender(3, bid(A, "900000"), bid(B, "950000"), failed=True)
    same = tender(4, bid(A, "930000"), bid(B, "940000"), previous=3)
    assert [flag.tenders for flag in rebid_flags([first, other, second, same])] == [(3, 4)]


def test_a_successor_of_a_tender_that_did_not_fail_is_not_a_rebid():
    earlier = tender(1, bid(A, "900000"), bid(B, "950000"))  # failed is False unless said
    again = tender(2, bid(A, "930000"), bid(B, "940000"), previous=1)
    assert rebid_flags([earlier, again]) == []


def test_a_reannouncement_without_bids_or_without_its_predecessor_is_not_flagged():
    failed = tender(1, failed=True)
    assert rebid_flags([failed, tender(2, previous=1)]) == []
    assert rebid_flags([tender(2, bid(A, "1"), previous=9)]) == []


# --- together ---------------------------------------------------------------------------------


def test_all_flags_collects_every_check_and_flags_about_picks_one_tender():
    tenders = [
        tender(1, bid(A, "990000"), bid(B, "990000"), winner=A.bidder),
        tender(2, bid(A, "800000"), bid(B, "700000"), winner=A.bidder),
        tender(3, bid(A, "800000"), bid(B, "600000"), winner=B.bidder, failed=True),
        tender(4, bid(B, "650000"), bid(A, "500000"), previous=3),
    ]
    flags = all_flags(tenders, Thresholds())
    assert sorted({flag.code for flag in flags}) == sorted(
        [IDENTICAL, CEILING_CLUSTER, SAME_BIDDERS, DOMINANT_WINNER, REBID_SAME_BIDDERS]
    )
    assert {flag.code for flag in flags_about(flags, 2)} == {SAME_BIDDERS, DOMINANT_WINNER}
    assert flags_about(flags, 99) == []


def test_the_codes_are_the_words_the_templates_use():
    # tendering/includes/red_flag.html matches these exact strings.
    assert [IDENTICAL, NEAR_IDENTICAL, CEILING_CLUSTER, SAME_BIDDERS, DOMINANT_WINNER, REBID_SAME_BIDDERS] == [
        "identical_amounts",
        "near_identical_amounts",
        "ceiling_cluster",
        "same_bidders",
        "dominant_winner",
        "rebid_same_bidders",
    ]


def test_flags_and_their_data_cannot_be_changed():
    flag = Flag(IDENTICAL, (1,), ("A公司",))
    for value, name in ((flag, "code"), (tender(1), "pk"), (A, "amount"), (Thresholds(), "small_set")):
        with pytest.raises(FrozenInstanceError):
            setattr(value, name, None)


def test_a_flag_without_tender_numbers_has_no_links():
    assert Flag(IDENTICAL, (1, 2), ("A公司",)).links == []


def test_nothing_opened_means_no_flag():
    assert all_flags([], Thresholds()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("near_identical_share", D("0.001")), ("ceiling_band", D("0.02")), ("small_set", 4), ("same_set_min", 3)],
)
def test_the_default_thresholds_are_the_documented_ones(field, value):
    assert getattr(Thresholds(), field) == value
    assert Thresholds().winner_min_awards == 3
