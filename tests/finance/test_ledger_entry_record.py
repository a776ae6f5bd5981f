from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.finance.models import EntryKind, IncomeSource, LedgerEntry
from renovation.tendering.models import ChangeOrderStatus
from tests.finance.factories import change_order, contract_for


def test_it_records_a_payment_on_a_contract_with_history(books, record, personas):
    entry = record(books.project, contract=books.contract, amount=Decimal("250000.00"), bank_reference="B-1")
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.amount == Decimal("250000.00")
    assert stored.recorded_by == personas.street_a
    history = stored.history.get()
    assert history.history_change_reason == "ledger_entry_record"
    assert history.history_user == personas.street_a


def test_it_records_income_by_source(books, record):
    entry = record(books.project, kind=EntryKind.INCOME, source=IncomeSource.CENTRAL, amount=Decimal("500000"))
    assert entry.get_source_display() == "中央补助"


def test_it_refuses_income_without_a_source(books, record):
    with pytest.raises(ValidationError) as error:
        record(books.project, kind=EntryKind.INCOME, source="")
    assert "说明收入来源" in str(error.value)
    assert not LedgerEntry.objects.exists()


def test_it_accepts_payments_exactly_up_to_the_contract_amount(books, record):
    record(books.project, contract=books.contract, amount=Decimal("600000.00"))
    record(books.project, contract=books.contract, amount=Decimal("400000.00"))
    assert LedgerEntry.objects.count() == 2


def test_it_refuses_one_fen_over_the_contract_amount_with_the_figures(books, record):
    record(books.project, contract=books.contract, amount=Decimal("600000.00"))
    with pytest.raises(ValidationError) as error:
        record(books.project, contract=books.contract, amount=Decimal("400000.01"))
    message = " ".join(error.value.message_dict["amount"])
    assert "HT-001" in message
    assert "1,000,000.01 元" in message
    assert "1,000,000.00 元" in message
    assert "600,000.00 元" in message
    assert LedgerEntry.objects.count() == 1


def test_it_raises_the_limit_by_approved_change_orders_only(books, record):
    change_order(books.contract, "50000.00", ChangeOrderStatus.APPROVED)
    change_order(books.contract, "90000.00", ChangeOrderStatus.PROPOSED)
    change_order(books.contract, "70000.00", ChangeOrderStatus.REJECTED)
    record(books.project, contract=books.contract, amount=Decimal("1050000.00"))
    with pytest.raises(ValidationError, match="变更"):
        record(books.project, contract=books.contract, amount=Decimal("0.01"))


def test_it_lowers_the_limit_by_an_approved_reduction(books, record):
    change_order(books.contract, "-100000.00", ChangeOrderStatus.APPROVED)
    with pytest.raises(ValidationError, match=r"将达到 900,000\.01 元"):
        record(books.project, contract=books.contract, amount=Decimal("900000.01"))


def test_it_refuses_a_contract_of_another_project(books, record):
    foreign = contract_for(books.other_project)
    with pytest.raises(ValidationError) as error:
        record(books.project, contract=foreign)
    assert "其他项目" in str(error.value)


def test_it_refuses_a_contract_on_income(books, record):
    with pytest.raises(ValidationError, match="只有支出才能关联合同"):
        record(books.project, kind=EntryKind.INCOME, contract=books.contract)


def test_it_refuses_a_bank_reference_twice_in_a_project(books, record, personas):
    record(books.project, bank_reference="B-7")
    with pytest.raises(ValidationError, match="流水号"):
        record(books.project, bank_reference="B-7")
    assert record(books.other_project, actor=personas.bureau, bank_reference="B-7").pk


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_it_refuses_an_amount_that_is_not_positive(books, record, amount):
    with pytest.raises(ValidationError, match="金额必须大于零"):
        record(books.project, amount=Decimal(amount))
    assert not LedgerEntry.objects.exists()


def test_it_refuses_a_date_in_the_future(books, record):
    with pytest.raises(ValidationError, match="未来"):
        record(books.project, booked_on=timezone.localdate() + timedelta(days=1))


def test_it_refuses_a_phone_number_in_a_public_field(books, record):
    with pytest.raises(ValidationError, match="电话"):
        record(books.project, counterparty="张三 13912345678")
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("street_a", True), ("bureau", True), ("superuser", True), ("street_b", False), ("resident", False)],
)
def test_it_lets_only_the_projects_street_and_the_bureau_record(books, record, personas, persona, allowed):
    actor = getattr(personas, persona)
    if allowed:
        assert record(books.project, actor=actor).pk
    else:
        with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
            record(books.project, actor=actor)
        assert not LedgerEntry.objects.exists()


def test_it_refuses_anonymous(books, record):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        record(books.project, actor=AnonymousUser())
