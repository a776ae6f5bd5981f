"""Red flags where people see them: the public tender page (after the opening only, as facts),
the back-office tender page and the dashboard (street-scoped)."""

from decimal import Decimal

from renovation.tendering.selectors import red_flags_for_staff, tender_red_flags
from tests.tendering.fixtures import open_now

SAME = Decimal("871234.00")


def _identical_bids(tender_cast):
    # The old demo's case: two different companies with exactly the same amount.
    tender_cast.bid(0, amount=SAME)
    tender_cast.bid(1, amount=SAME)
    tender_cast.bid(2, amount=Decimal("799000.00"))


def test_no_flag_and_no_amount_before_the_opening(tender_cast, personas, client):
    _identical_bids(tender_cast)
    assert tender_red_flags(tender_cast.tender) == []
    assert red_flags_for_staff(personas.bureau) == []
    html = client.get(f"/tenders/{tender_cast.tender.pk}/").content.decode()
    assert "投标情况提示" not in html
    assert "871,234" not in html


def test_the_public_page_states_identical_bids_as_a_fact_after_the_opening(tender_cast, client):
    _identical_bids(tender_cast)
    open_now(tender_cast.tender)
    html = client.get(f"/tenders/{tender_cast.tender.pk}/").content.decode()
    facts = html.split("投标情况提示", 1)[1].split("</section>", 1)[0]
    assert "瑞安甲建设有限公司与温州乙建设有限公司的报价完全相同：871,234.00 元。" in facts
    assert "浙江丙市政有限公司" not in facts
    assert "围标" not in facts and "串标" not in facts  # facts, not accusations


def test_bids_just_outside_the_near_identical_share_are_not_flagged(tender_cast, client):
    tender_cast.bid(0, amount=Decimal("499499.99"))
    tender_cast.bid(1, amount=Decimal("500000.00"))  # 500.01 apart: just over 0.1% of the higher bid
    tender_cast.bid(2, amount=Decimal("700000.00"))
    tender = open_now(tender_cast.tender)
    assert tender_red_flags(tender) == []
    assert "投标情况提示" not in client.get(f"/tenders/{tender.pk}/").content.decode()


def test_bids_at_the_near_identical_share_are_flagged(tender_cast):
    tender_cast.bid(0, amount=Decimal("499500.00"))
    tender_cast.bid(1, amount=Decimal("500000.00"))  # 500 apart: exactly 0.1% of the higher bid
    tender_cast.bid(2, amount=Decimal("700000.00"))
    tender = open_now(tender_cast.tender)
    assert [flag.code for flag in tender_red_flags(tender)] == ["near_identical_amounts"]


def test_staff_see_the_flag_on_the_back_office_page_and_the_dashboard(tender_cast, personas, client):
    _identical_bids(tender_cast)
    open_now(tender_cast.tender)
    client.force_login(personas.street_a)
    manage = client.get(f"/admin/tenders/{tender_cast.tender.pk}/manage/").content.decode()
    assert "风险提示（供核查）" in manage
    assert "报价完全相同" in manage
    dashboard = client.get("/admin/").content.decode()
    assert "已开标项目上有 1 条风险提示" in dashboard
    assert tender_cast.tender.code in dashboard.split("red-flags-heading", 1)[1]


def test_street_b_sees_no_flag_of_street_a(tender_cast, personas, client):
    _identical_bids(tender_cast)
    open_now(tender_cast.tender)
    assert red_flags_for_staff(personas.street_b) == []
    assert len(red_flags_for_staff(personas.street_a)) == 1
    client.force_login(personas.street_b)
    assert "已开标项目上没有风险提示" in client.get("/admin/").content.decode()


def test_the_flags_cost_three_queries_whatever_the_number_of_bids(tender_cast, django_assert_num_queries):
    _identical_bids(tender_cast)
    tender_cast.bid(3, amount=Decimal("650000.00"), name="丁公司技术标.pdf")
    tender = open_now(tender_cast.tender)
    tender.project.neighbourhood.community  # noqa: B018 - loaded with the page's tender already
    with django_assert_num_queries(3):
        flags = tender_red_flags(tender)
    assert len(flags) == 1
