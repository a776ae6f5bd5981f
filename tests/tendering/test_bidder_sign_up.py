"""A bidding company registers without an account, waits for the qualification review, and bids."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from renovation import sms
from renovation.sms.models import UserPhone
from renovation.tendering import registration
from renovation.tendering.models import Bid, Bidder, BidderReview
from tests.tendering.fixtures import proposal, uscc

User = get_user_model()
MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _form(code: str = "", **overrides: str) -> dict:
    data = {
        "name": "瑞安新城建设有限公司",
        "uscc": uscc("91330381MA7Q"),
        "contact_name": "陈经理",
        "mobile": MOBILE,
        "sms_code": code,
        "email": "",
        "address": "",
        "password": "Bid-Safely-2026",
        "password_again": "Bid-Safely-2026",
        "action": "register",
    }
    data.update(overrides)
    return data


def _send_code(client: Client, mobile: str = MOBILE) -> str:
    response = client.post("/tenders/bidders/register/", {**_form(), "action": "send_code", "mobile": mobile})
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    return sms.outbox[-1].params["code"]


def test_a_company_goes_from_nothing_to_its_first_sealed_bid(tender_cast, personas):
    client = Client()
    page = client.get("/tenders/bidders/register/")
    assert page.status_code == 200 and "发送验证码" in page.content.decode()
    code = _send_code(client)
    assert sms.outbox[-1].number == MOBILE
    response = client.post("/tenders/bidders/register/", _form(code))
    assert response.status_code == 302 and response["Location"] == "/tenders/bidders/mine/"
    bidder = Bidder.objects.get(name="瑞安新城建设有限公司")
    account = bidder.accounts.get()
    assert account.username == bidder.uscc and account.check_password("Bid-Safely-2026")
    assert UserPhone.objects.get(user=account).number == MOBILE
    assert bidder.review_status == BidderReview.PENDING
    assert "待审查" in client.get("/tenders/bidders/mine/").content.decode()

    bid_url = f"/tenders/{tender_cast.tender.pk}/bid/"
    refused = client.post(bid_url, {"amount": "700000", "duration_days": "90", "proposal": proposal()})
    assert refused.status_code == 400 and "资格审查" in refused.content.decode()
    assert not Bid.objects.filter(bidder=bidder).exists()

    staff = Client()
    staff.force_login(personas.bureau)
    review_page = staff.get(f"/admin/bidders/{bidder.pk}/review/")
    assert review_page.status_code == 200 and bidder.uscc in review_page.content.decode()
    assert staff.post(f"/admin/bidders/{bidder.pk}/review/", {"decision": "approved"}).status_code == 302

    # The company signs in again later with its credit code and bids.
    client.post("/accounts/logout/")
    signed_in = client.post("/accounts/login/", {"username": bidder.uscc, "password": "Bid-Safely-2026"})
    assert signed_in["Location"] == "/tenders/bidders/mine/"
    response = client.post(bid_url, {"amount": "700000", "duration_days": "90", "proposal": proposal()}, follow=True)
    bid = Bid.objects.get(bidder=bidder, tender=tender_cast.tender)
    assert bid.digest in response.content.decode()


def test_it_refuses_a_wrong_sms_code_and_saves_nothing(db, client):
    _send_code(client)
    response = client.post(
        "/tenders/bidders/register/", _form("000000" if sms.outbox[-1].params["code"] != "000000" else "111111")
    )
    assert response.status_code == 400
    assert not Bidder.objects.exists() and not User.objects.exists()


def test_it_refuses_registration_without_a_code(db, client):
    response = client.post("/tenders/bidders/register/", _form(""))
    assert response.status_code == 400 and "6 位验证码" in response.content.decode()
    assert not Bidder.objects.exists()


def test_it_refuses_a_credit_code_that_fails_its_check_before_spending_the_code(db, client):
    code = _send_code(client)
    response = client.post("/tenders/bidders/register/", _form(code, uscc="91350100M000100Y44"))
    assert response.status_code == 400 and "校验码不符" in response.content.decode()
    assert not Bidder.objects.exists() and not User.objects.exists()
    # The code was not used up by the refused attempt.
    assert client.post("/tenders/bidders/register/", _form(code)).status_code == 302


def test_it_refuses_a_company_already_registered(tender_cast, client):
    taken = tender_cast.bidders[0]
    code = _send_code(client)
    response = client.post("/tenders/bidders/register/", _form(code, uscc=taken.uscc))
    assert response.status_code == 400 and "已登记" in response.content.decode()
    assert Bidder.objects.filter(uscc=taken.uscc).count() == 1


def test_it_refuses_a_bad_mobile_number_when_sending(db, client):
    response = client.post("/tenders/bidders/register/", {**_form(), "action": "send_code", "mobile": "12345"})
    assert response.status_code == 400 and not sms.outbox


def test_it_keeps_the_review_decision_with_its_reason_in_history(tender_cast, personas):
    bidder = tender_cast.bidders[0]
    with pytest.raises(registration.ValidationError, match="请说明不通过的原因"):
        registration.bidder_review(actor=personas.street_a, bidder=bidder, decision="rejected", reason="")
    rejected = registration.bidder_review(
        actor=personas.street_a, bidder=bidder, decision="rejected", reason="安全生产许可证已过期"
    )
    assert not rejected.may_bid and rejected.reviewed_by == personas.street_a
    latest = rejected.history.first()
    assert latest.history_change_reason == "bidder_review_rejected" and latest.review_reason == "安全生产许可证已过期"


def test_it_refuses_a_review_by_someone_not_staff(tender_cast):
    with pytest.raises(registration.PermissionDenied):
        registration.bidder_review(actor=tender_cast.accounts[1], bidder=tender_cast.bidders[0], decision="approved")
    assert Bidder.objects.get(pk=tender_cast.bidders[0].pk).review_status == BidderReview.APPROVED
