"""Bidders and the public on a phone: the tender pages fit a 360 px screen, a company bids and
gets its receipt, and after the opening the record is readable on the phone."""

import pytest

from renovation.tendering.models import Bid
from tests.tendering.fixtures import open_now

from .test_mobile_pages import _no_horizontal_scroll

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]


def test_a_company_bids_from_a_phone_and_reads_the_opening_record(phone, live_server, tender_cast, tmp_path):
    tender = tender_cast.tender
    for path in ("/tenders/", f"/tenders/{tender.pk}/"):
        assert phone.goto(f"{live_server.url}{path}").status == 200
        _no_horizontal_scroll(phone)

    phone.goto(f"{live_server.url}/accounts/login/?next=/tenders/{tender.pk}/bid/")
    phone.fill("input[name=username]", "bidder0")
    phone.fill("input[name=password]", "pw")
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/tenders/{tender.pk}/bid/")
    _no_horizontal_scroll(phone)
    proposal = tmp_path / "技术标.pdf"
    proposal.write_bytes(b"%PDF-1.4 proposal")
    phone.fill("input[name=amount]", "812345.67")
    phone.fill("input[name=duration_days]", "100")
    phone.set_input_files("input[name=proposal]", str(proposal))
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    bid = Bid.objects.get()
    assert bid.digest in phone.content()
    # The bidder sees what it just sealed, amount in capitals too, on the phone without scrolling sideways ...
    assert phone.locator(".sealed-now__capitals").inner_text().endswith("捌拾壹万贰仟叁佰肆拾伍元陆角柒分")
    _no_horizontal_scroll(phone)
    # ... and only in that response.
    phone.goto(f"{live_server.url}/tenders/{tender.pk}/bid/")
    assert "812345" not in phone.content() and "812,345" not in phone.content()
    assert bid.digest in phone.content()

    tender_cast.bid(1)
    tender_cast.bid(2)
    open_now(tender)
    phone.goto(f"{live_server.url}/tenders/{tender.pk}/")
    assert "812,345.67" in phone.content()
    _no_horizontal_scroll(phone)
