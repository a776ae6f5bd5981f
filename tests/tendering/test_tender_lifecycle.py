from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.projects.models import ProjectStatus
from renovation.tendering import contracts, services
from renovation.tendering.models import (
    Award,
    BidEvaluation,
    ChangeOrderStatus,
    Objection,
    Tender,
    TenderRelease,
    TenderStatus,
)
from renovation.tendering.selectors import contract_current_amount
from tests.tendering.fixtures import AMOUNTS, end_publicity, open_now, tender_data


def _evaluate_all(cast, actor, technical=None, compliant=None):
    bids = list(cast.tender.bids.all())
    return services.tender_evaluate(
        actor=actor,
        tender=cast.tender,
        scores={
            bid.pk: {
                "compliant": (compliant or {}).get(bid.bidder_id, True),
                "technical_score": (technical or {}).get(bid.bidder_id),
            }
            for bid in bids
        },
    )


def test_announcing_moves_the_project_to_tendering_and_publishes_a_release(tender_cast):
    tender_cast.project.refresh_from_db()
    assert tender_cast.project.status == ProjectStatus.TENDERING
    assert tender_cast.tender.status == TenderStatus.BIDDING
    release = TenderRelease.objects.get(tender=tender_cast.tender)
    assert release.tags == ["tender"] and "bids" not in release.data


def test_an_announced_tender_cannot_be_edited(tender_cast, personas):
    with pytest.raises(ValidationError, match="已发布公告的招标不能修改"):
        services.tender_update(
            actor=personas.street_a, tender=tender_cast.tender, data={"title": "改"}, work_items=tender_cast.items
        )


def test_street_b_cannot_run_street_as_tenders(tender_cast, personas):
    with pytest.raises(PermissionDenied, match="只有项目所在街道（或住建局）可以组织其招标"):
        services.tender_create(actor=personas.street_b, data=tender_data(tender_cast.project), work_items=[])


def test_a_tender_cannot_cover_another_projects_works(tender_cast, personas):
    from tests.factories import WorkItemFactory

    foreign = WorkItemFactory()
    with pytest.raises(ValidationError, match="所选改造内容必须属于本招标的项目"):
        services.tender_create(actor=personas.bureau, data=tender_data(tender_cast.project), work_items=[foreign])
    assert Tender.objects.count() == 1


def test_it_opens_by_the_clock_and_fails_with_fewer_than_three_bids(tender_cast):
    tender_cast.bid(0)
    tender_cast.bid(1)
    tender = services.tender_catch_up(tender=open_now(tender_cast.tender))
    assert tender.status == TenderStatus.FAILED
    assert "2" in tender.failure_reason
    assert TenderRelease.objects.filter(tender=tender).count() == 2


def test_the_opening_record_is_released_with_every_bid(tender_cast):
    tender_cast.three_bids()
    tender = services.tender_catch_up(tender=open_now(tender_cast.tender))
    assert tender.status == TenderStatus.OPENED
    release = TenderRelease.objects.filter(tender=tender).last()
    amounts = sorted(detail["value"]["amount"] for detail in release.data["bids"]["details"])
    assert amounts == sorted(float(amount) for amount in AMOUNTS)
    assert release.data["tender"]["numberOfTenderers"] == 3


def test_catching_up_twice_changes_nothing(tender_cast):
    tender_cast.three_bids()
    tender = services.tender_catch_up(tender=open_now(tender_cast.tender))
    again = services.tender_catch_up(tender=tender)
    assert again.status == TenderStatus.OPENED
    assert TenderRelease.objects.filter(tender=tender).count() == 2


def test_evaluation_is_refused_while_sealed(tender_cast, personas):
    tender_cast.three_bids()
    with pytest.raises(ValidationError, match="开标时间之前，投标文件保持密封"):
        _evaluate_all(tender_cast, personas.street_a)
    assert not BidEvaluation.objects.exists()


def test_lowest_compliant_price_wins(tender_cast, personas):
    tender_cast.three_bids()
    tender_cast.tender = open_now(tender_cast.tender)
    # The lowest bid (company 1) is not compliant: company 0 ranks first.
    tender = _evaluate_all(tender_cast, personas.street_a, compliant={tender_cast.bidders[1].pk: False})
    ranks = {e.bid.bidder_id: e.rank for e in BidEvaluation.objects.select_related("bid")}
    # Two compliant bids are not enough: the tender fails after evaluation.
    assert ranks[tender_cast.bidders[0].pk] == 1 and ranks[tender_cast.bidders[1].pk] is None
    assert tender.status == TenderStatus.FAILED


def test_comprehensive_score_weights_price_and_technical(tender_cast, personas):
    Tender.objects.filter(pk=tender_cast.tender.pk).update(method="comprehensive", price_weight=60, technical_weight=40)
    tender_cast.tender.refresh_from_db()
    tender_cast.bid(0, amount=Decimal("800000"))
    tender_cast.bid(1, amount=Decimal("850000"))
    tender_cast.bid(2, amount=Decimal("880000"))
    tender_cast.tender = open_now(tender_cast.tender)
    b = tender_cast.bidders
    tender = _evaluate_all(
        tender_cast, personas.street_a, technical={b[0].pk: Decimal("70"), b[1].pk: Decimal("95"), b[2].pk: 80}
    )
    evaluations = {e.bid.bidder_id: e for e in BidEvaluation.objects.select_related("bid")}
    # 60 × 800000/800000 + 40% × 70 = 88.00; 60 × 800000/850000 = 56.47 + 38 = 94.47.
    assert evaluations[b[0].pk].total_score == Decimal("88.00")
    assert evaluations[b[1].pk].price_score == Decimal("56.47")
    assert evaluations[b[1].pk].total_score == Decimal("94.47")
    assert evaluations[b[1].pk].rank == 1
    assert tender.status == TenderStatus.EVALUATED


def test_a_missing_technical_score_is_refused(tender_cast, personas):
    Tender.objects.filter(pk=tender_cast.tender.pk).update(method="comprehensive", price_weight=60, technical_weight=40)
    tender_cast.tender.refresh_from_db()
    tender_cast.three_bids()
    tender_cast.tender = open_now(tender_cast.tender)
    with pytest.raises(ValidationError, match="填写 0 至 100 之间的技术分"):
        _evaluate_all(tender_cast, personas.street_a)
    assert not BidEvaluation.objects.exists()


@pytest.fixture
def in_publicity(tender_cast, personas):
    tender_cast.three_bids()
    tender_cast.tender = open_now(tender_cast.tender)
    _evaluate_all(tender_cast, personas.street_a)
    tender_cast.tender = services.tender_publicize(
        actor=personas.street_a, tender=Tender.objects.get(pk=tender_cast.tender.pk)
    )
    return tender_cast


def test_publicity_lasts_the_configured_days(in_publicity):
    tender = in_publicity.tender
    assert tender.status == TenderStatus.PUBLICITY
    assert tender.publicity_end - tender.publicity_start == timedelta(days=3)
    release = TenderRelease.objects.filter(tender=tender).last()
    assert release.data["awards"][0]["status"] == "pending"
    assert release.data["awards"][0]["suppliers"][0]["name"] == in_publicity.bidders[1].name


def test_anyone_signed_in_may_object_during_publicity_only(in_publicity, personas):
    services.objection_lodge(actor=personas.resident, tender=in_publicity.tender, text="中标价明显偏低")
    tender = end_publicity(in_publicity.tender)
    with pytest.raises(ValidationError) as error:
        services.objection_lodge(actor=personas.resident, tender=tender, text="再提一次")
    assert "公示期" in str(error.value)
    assert Objection.objects.count() == 1


def test_the_award_waits_for_the_publicity_to_end(in_publicity, personas):
    with pytest.raises(ValidationError, match="公示期满后方可定标"):
        services.tender_award(actor=personas.street_a, tender=in_publicity.tender)
    assert not Award.objects.exists()


def test_an_unanswered_objection_blocks_the_award(in_publicity, personas):
    objection = services.objection_lodge(actor=personas.resident, tender=in_publicity.tender, text="有围标嫌疑")
    tender = end_publicity(in_publicity.tender)
    with pytest.raises(ValidationError, match="定标前须答复全部异议"):
        services.tender_award(actor=personas.street_a, tender=tender)
    services.objection_answer(actor=personas.street_a, objection=objection, answer="经核查不成立。", upheld=False)
    award = services.tender_award(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    assert award.bidder == in_publicity.bidders[1] and award.amount == AMOUNTS[1]


def test_the_ranking_in_publicity_does_not_change_without_an_upheld_objection(in_publicity, personas):
    with pytest.raises(ValidationError, match="排名正在公示"):
        _evaluate_all(in_publicity, personas.street_a, compliant={in_publicity.bidders[1].pk: False})
    assert BidEvaluation.objects.get(bid__bidder=in_publicity.bidders[1]).rank == 1


def test_an_upheld_objection_sends_the_tender_back_to_evaluation(tender_cast, personas):
    tender_cast.three_bids()
    tender_cast.bid(3, amount=Decimal("880000"), name="丁技术标.pdf")
    tender_cast.tender = open_now(tender_cast.tender)
    _evaluate_all(tender_cast, personas.street_a)
    tender = services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender_cast.tender.pk))
    objection = services.objection_lodge(actor=personas.resident, tender=tender, text="资质造假")
    services.objection_answer(actor=personas.street_a, objection=objection, answer="经核查属实。", upheld=True)
    tender_cast.tender = end_publicity(tender)
    with pytest.raises(ValidationError, match="有异议成立"):
        services.tender_award(actor=personas.street_a, tender=tender_cast.tender)
    # The candidate is disqualified; three valid bids remain, so a new ranking goes to publicity again.
    tender = _evaluate_all(tender_cast, personas.street_a, compliant={tender_cast.bidders[1].pk: False})
    assert tender.status == TenderStatus.EVALUATED and tender.publicity_end is None
    # The objection belongs to the first publicity, days before the second one starts.
    Objection.objects.filter(pk=objection.pk).update(lodged_at=timezone.now() - timedelta(days=10))
    tender = services.tender_publicize(actor=personas.street_a, tender=tender)
    tender = end_publicity(tender)
    award = services.tender_award(actor=personas.street_a, tender=tender)
    assert award.bidder == tender_cast.bidders[0]


def test_a_nan_technical_score_is_refused_not_a_crash(tender_cast, personas):
    Tender.objects.filter(pk=tender_cast.tender.pk).update(method="comprehensive", price_weight=60, technical_weight=40)
    tender_cast.tender.refresh_from_db()
    tender_cast.three_bids()
    tender_cast.tender = open_now(tender_cast.tender)
    technical = {bidder.pk: Decimal("NaN") for bidder in tender_cast.bidders}
    with pytest.raises(ValidationError, match="填写 0 至 100 之间的技术分"):
        _evaluate_all(tender_cast, personas.street_a, technical=technical)
    assert not BidEvaluation.objects.exists()


def test_a_work_item_is_in_one_live_tender_only(tender_cast, personas):
    with pytest.raises(ValidationError) as refused:
        services.tender_create(
            actor=personas.street_a, data=tender_data(tender_cast.project, title="重复"), work_items=tender_cast.items
        )
    assert tender_cast.tender.code in str(refused.value)
    assert Tender.objects.count() == 1


def test_a_failed_tender_is_announced_again_once(tender_cast, personas):
    tender_cast.bid(0)
    failed = services.tender_catch_up(tender=open_now(tender_cast.tender))
    now = timezone.now()
    dates = {
        "bid_period_start": now,
        "bid_period_end": now + timedelta(days=10),
        "opening_at": now + timedelta(days=11),
    }
    services.tender_reannounce(actor=personas.street_a, tender=failed, data=dates)
    with pytest.raises(ValidationError, match="该招标已重新招标"):
        services.tender_reannounce(actor=personas.street_a, tender=failed, data=dates)
    assert failed.reannouncements.count() == 1


def test_contract_and_change_orders(in_publicity, personas):
    tender = end_publicity(in_publicity.tender)
    services.tender_award(actor=personas.street_a, tender=tender)
    tender = Tender.objects.get(pk=tender.pk)
    contract = contracts.contract_sign(
        actor=personas.street_a,
        tender=tender,
        data={
            "number": "HT-001",
            "amount": AMOUNTS[1],
            "signed_on": date(2026, 5, 1),
            "start_on": date(2026, 5, 10),
            "end_on": date(2026, 9, 10),
        },
    )
    with pytest.raises(ValidationError, match="合同变更须改变金额"):
        contracts.change_order_propose(actor=personas.street_a, contract=contract, reason="无变化", amount_change=0)
    change = contracts.change_order_propose(
        actor=personas.street_a, contract=contract, reason="增加屋面防水", amount_change=Decimal("20000")
    )
    assert contract_current_amount(contract) == AMOUNTS[1]
    contracts.change_order_decide(
        actor=personas.street_a,
        change_order=change,
        approve=True,
        decided_on=timezone.localdate(),
        approval_reference="业委会纪要〔2026〕3号",
    )
    assert contract_current_amount(contract) == AMOUNTS[1] + Decimal("20000")
    change.refresh_from_db()
    assert change.status == ChangeOrderStatus.APPROVED
    with pytest.raises(ValidationError, match="该变更已作出决定"):
        contracts.change_order_decide(
            actor=personas.street_a, change_order=change, approve=False, decided_on=timezone.localdate()
        )
    release = TenderRelease.objects.filter(tender=tender).last()
    assert release.tags == ["contractAmendment"]
    assert release.data["contracts"][0]["value"]["amount"] == float(AMOUNTS[1] + Decimal("20000"))


def test_a_failed_tender_is_announced_again_as_a_new_draft(tender_cast, personas):
    tender_cast.bid(0)
    failed = services.tender_catch_up(tender=open_now(tender_cast.tender))
    now = timezone.now()
    again = services.tender_reannounce(
        actor=personas.street_a,
        tender=failed,
        data={
            "bid_period_start": now,
            "bid_period_end": now + timedelta(days=10),
            "opening_at": now + timedelta(days=11),
        },
    )
    assert again.status == TenderStatus.DRAFT and again.previous == failed
    assert set(again.work_items.all()) == set(tender_cast.items)
    assert again.code != failed.code
