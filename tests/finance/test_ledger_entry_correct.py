from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.finance.models import LedgerEntry
from renovation.finance.services import ledger_entry_correct


def test_it_reverses_an_entry_with_a_negative_correction(books, personas, record):
    payment = record(books.project, amount=Decimal("1000"), contract=books.contract)
    correction = ledger_entry_correct(
        actor=personas.street_a, entry=payment, amount=Decimal("-1000"), reason="重复录入"
    )
    assert correction.amount == Decimal("-1000")
    assert correction.note == "重复录入"
    assert correction.purpose.startswith("更正：")
    assert correction.history.get().history_change_reason == "ledger_entry_correct"


def test_it_refuses_a_correction_below_zero(books, personas, record):
    payment = record(books.project, amount=Decimal("1000"))
    with pytest.raises(ValidationError, match="低于零"):
        ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("-1000.01"), reason="退款")
    assert LedgerEntry.objects.count() == 1


def test_it_refuses_a_correction_without_a_reason(books, personas, record):
    payment = record(books.project)
    with pytest.raises(ValidationError, match="原因"):
        ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("-1"), reason=" ")


def test_it_refuses_a_correction_that_overruns_the_contract(books, personas, record):
    payment = record(books.project, amount=Decimal("1000000"), contract=books.contract)
    with pytest.raises(ValidationError, match="HT-001"):
        ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("0.01"), reason="补付")
    assert LedgerEntry.objects.count() == 1


def test_it_lets_a_negative_correction_free_room_on_the_contract(books, personas, record):
    payment = record(books.project, amount=Decimal("1000000"), contract=books.contract)
    ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("-100"), reason="多付退回")
    assert record(books.project, amount=Decimal("100"), contract=books.contract).pk


def test_it_lets_only_the_projects_street_or_the_bureau_correct(books, personas, record):
    payment = record(books.project)
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        ledger_entry_correct(actor=personas.street_b, entry=payment, amount=Decimal("-1"), reason="错")
    assert ledger_entry_correct(actor=personas.bureau, entry=payment, amount=Decimal("-1"), reason="错").pk


def test_editing_a_correction_cannot_take_the_entry_below_zero(books, personas, record):
    from renovation.finance.services import ledger_entry_update

    payment = record(books.project, amount=Decimal("1000"))
    correction = ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("-500"), reason="退款")
    with pytest.raises(ValidationError, match="低于零"):
        ledger_entry_update(actor=personas.street_a, entry=correction, data={"amount": Decimal("-5000")})
    correction.refresh_from_db()
    assert correction.amount == Decimal("-500")


def test_a_corrected_entry_keeps_its_kind_and_contract(books, personas, record):
    from renovation.finance.services import ledger_entry_update

    payment = record(books.project, amount=Decimal("1000"), contract=books.contract)
    ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("-100"), reason="多付")
    with pytest.raises(ValidationError, match="不能改变收支方向、资金来源和合同"):
        ledger_entry_update(
            actor=personas.street_a, entry=payment, data={"kind": "income", "source": "city", "contract": None}
        )
    payment.refresh_from_db()
    assert payment.kind == "payment" and payment.contract == books.contract


def test_a_correction_cannot_be_dated_before_the_entry(books, personas, record):
    from datetime import timedelta

    payment = record(books.project, amount=Decimal("1000"))
    with pytest.raises(ValidationError) as refused:
        ledger_entry_correct(
            actor=personas.street_a,
            entry=payment,
            amount=Decimal("-1"),
            reason="错",
            booked_on=payment.booked_on - timedelta(days=1),
        )
    assert "booked_on" in refused.value.message_dict
