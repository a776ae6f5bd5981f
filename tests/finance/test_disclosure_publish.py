from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.finance.models import EntryKind, IncomeSource, QuarterlyDisclosure, quarter_of
from renovation.finance.services import disclosure_publish, ledger_entry_correct, ledger_entry_update
from tests.finance.factories import day_in_previous_quarter, previous_quarter


@pytest.fixture
def last_quarter(books, record):
    """Income and payments in the previous quarter, one payment before it."""
    year, quarter = previous_quarter()
    before = day_in_previous_quarter() - timedelta(days=1)
    record(books.project, kind=EntryKind.INCOME, source=IncomeSource.CITY, amount=Decimal("300000"), booked_on=before)
    record(books.project, amount=Decimal("50000"), booked_on=before, contract=books.contract)
    record(
        books.project,
        kind=EntryKind.INCOME,
        source=IncomeSource.CENTRAL,
        amount=Decimal("500000"),
        booked_on=day_in_previous_quarter(),
    )
    record(
        books.project,
        kind=EntryKind.INCOME,
        source=IncomeSource.RESIDENT,
        amount=Decimal("80000"),
        booked_on=day_in_previous_quarter(1),
    )
    payment = record(
        books.project,
        amount=Decimal("200000"),
        booked_on=day_in_previous_quarter(2),
        contract=books.contract,
        bank_reference="B-100",
    )
    return year, quarter, payment


def test_it_freezes_the_quarters_figures_at_publication(books, personas, last_quarter):
    year, quarter, _payment = last_quarter
    disclosure = disclosure_publish(actor=personas.street_a, project=books.project, year=year, quarter=quarter)
    assert disclosure.opening_balance == Decimal("250000")
    assert disclosure.income_central == Decimal("500000")
    assert disclosure.income_resident == Decimal("80000")
    assert disclosure.income_city == Decimal("0")
    assert disclosure.income_total == Decimal("580000")
    assert disclosure.payments_total == Decimal("200000")
    assert disclosure.closing_balance == Decimal("630000")
    assert disclosure.entry_count == 3
    assert disclosure.published_by == personas.street_a
    assert disclosure.history.get().history_change_reason == "disclosure_publish"


def test_it_keeps_the_disclosure_when_a_correction_follows(books, personas, last_quarter):
    year, quarter, payment = last_quarter
    disclosure = disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    correction = ledger_entry_correct(
        actor=personas.street_a, entry=payment, amount=Decimal("-20000"), reason="发票金额有误，多付退回"
    )
    assert correction.booked_on == timezone.localdate()
    assert correction.corrects == payment
    assert correction.contract == books.contract
    frozen = QuarterlyDisclosure.objects.get(pk=disclosure.pk)
    assert (frozen.payments_total, frozen.closing_balance) == (Decimal("200000"), Decimal("630000"))
    assert frozen.history.count() == 1
    payment.refresh_from_db()
    assert payment.amount == Decimal("200000")


def test_it_refuses_to_edit_an_entry_of_a_disclosed_quarter(books, personas, last_quarter):
    year, quarter, payment = last_quarter
    disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    with pytest.raises(ValidationError, match="更正"):
        ledger_entry_update(actor=personas.street_a, entry=payment, data={"amount": Decimal("180000")})
    payment.refresh_from_db()
    assert payment.amount == Decimal("200000")


def test_it_allows_editing_in_place_before_disclosure(books, personas, last_quarter):
    _year, _quarter, payment = last_quarter
    ledger_entry_update(actor=personas.street_a, entry=payment, data={"amount": Decimal("180000")})
    payment.refresh_from_db()
    assert payment.amount == Decimal("180000")
    assert payment.history.first().history_change_reason == "ledger_entry_update"


def test_it_refuses_a_new_entry_dated_in_a_disclosed_quarter(books, personas, record, last_quarter):
    year, quarter, _payment = last_quarter
    disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    with pytest.raises(ValidationError, match="已公开至"):
        record(books.project, booked_on=day_in_previous_quarter(5))


def test_it_refuses_a_quarter_that_has_not_ended(books, personas, last_quarter):
    year, quarter = quarter_of(timezone.localdate())
    with pytest.raises(ValidationError, match="尚未结束"):
        disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    assert not QuarterlyDisclosure.objects.exists()


def test_it_refuses_to_publish_a_quarter_twice(books, personas, last_quarter):
    year, quarter, _payment = last_quarter
    disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
    with pytest.raises(ValidationError, match="已经公开"):
        disclosure_publish(actor=personas.street_a, project=books.project, year=year, quarter=quarter)
    assert QuarterlyDisclosure.objects.count() == 1


@pytest.mark.parametrize("persona", ["street_b", "resident"])
def test_it_lets_no_one_else_publish(books, personas, last_quarter, persona):
    year, quarter, _payment = last_quarter
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        disclosure_publish(actor=getattr(personas, persona), project=books.project, year=year, quarter=quarter)
    assert not QuarterlyDisclosure.objects.exists()


def test_it_discloses_amounts_with_cents_exactly(books, personas):
    # SQLite adds decimals as floats; the quarter's sums must still be whole cents.
    year, quarter = previous_quarter()
    day = day_in_previous_quarter()
    books.project.ledger_entries.create(
        kind=EntryKind.INCOME, source=IncomeSource.CITY, amount=Decimal("900000.10"), booked_on=day
    )
    books.project.ledger_entries.create(
        kind=EntryKind.PAYMENT, amount=Decimal("599308.15"), booked_on=day, contract=books.contract
    )
    books.project.ledger_entries.create(
        kind=EntryKind.PAYMENT, amount=Decimal("0.10"), booked_on=day, contract=books.contract
    )

    disclosure = disclosure_publish(actor=personas.street_a, project=books.project, year=year, quarter=quarter)

    assert disclosure.payments_total == Decimal("599308.25")
    assert disclosure.income_city == Decimal("900000.10")
    assert disclosure.closing_balance == Decimal("300691.85")
