"""The rules the ledger's services and the statement import share: no phone numbers in public
fields, and a payment refused above the contract with every figure named."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from renovation.finance.models import LedgerEntry
from renovation.finance.rules import PHONE_NUMBER, overrun_message
from renovation.finance.selectors import ContractPosition
from renovation.finance.services import ledger_entry_correct


@pytest.mark.parametrize("field", ["counterparty", "purpose"])
def test_it_refuses_a_phone_number_in_each_public_field_naming_the_field(books, record, field):
    with pytest.raises(ValidationError) as error:
        record(books.project, **{field: "联系 13912345678"})
    assert list(error.value.message_dict) == [field]
    assert "电话" in error.value.message_dict[field][0]
    assert not LedgerEntry.objects.exists()


def test_it_refuses_a_phone_number_in_the_note_of_a_correction(books, record, personas):
    entry = record(books.project, amount=Decimal("1000.00"))
    with pytest.raises(ValidationError) as error:
        ledger_entry_correct(
            actor=personas.street_a, entry=entry, amount=Decimal("-10.00"), reason="财务王 13912345678 说多付了"
        )
    assert list(error.value.message_dict) == ["note"]
    assert "电话" in error.value.message_dict["note"][0]
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("13912345678", True),
        ("电话:19912345678。", True),
        ("12912345678", False),  # no mobile number starts 12
        ("139123456789", False),  # twelve digits: an account number, not a phone
        ("813912345678", False),
        ("1391234567", False),
        ("合同 HT-2026-001", False),
    ],
)
def test_it_recognises_mainland_mobile_numbers_only(text, found):
    assert bool(PHONE_NUMBER.search(text)) is found


def test_it_names_every_figure_when_a_payment_would_overrun_the_contract():
    position = ContractPosition(
        number="HT-009", amount=Decimal("1000000.00"), approved_changes=Decimal("50000.00"), paid=Decimal("900000.00")
    )
    message = overrun_message(position, Decimal("200000.00"), pending=Decimal("10000.00"))
    assert message == (
        "合同 HT-009 的累计支付将达到 1,110,000.00 元，超过允许的上限：合同金额 1,000,000.00 元"
        " 加已批准变更 50,000.00 元 = 1,050,000.00 元（已支付 910,000.00 元）。"
    )
