from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.services import project_page_ensure
from renovation.finance.models import EntryKind, IncomeSource
from renovation.finance.services import disclosure_publish, ledger_entry_correct
from tests.factories import ProjectFactory
from tests.finance.factories import change_order, contract_for, day_in_previous_quarter, previous_quarter


@pytest.fixture
def page_of(site_tree):
    def _page(project):
        return project_page_ensure(project=project)

    return _page


@pytest.fixture
def disclosed(books, personas, record, page_of):
    """A project with a published last quarter, a payment on its contract and a resident
    contribution whose payer a careless clerk wrote down by name."""
    record(
        books.project,
        kind=EntryKind.INCOME,
        source=IncomeSource.CENTRAL,
        amount=Decimal("500000"),
        booked_on=day_in_previous_quarter(),
        counterparty="财政部",
    )
    record(
        books.project,
        kind=EntryKind.INCOME,
        source=IncomeSource.RESIDENT,
        amount=Decimal("3000"),
        booked_on=day_in_previous_quarter(1),
        counterparty="李秀英",
        purpose="居民出资",
    )
    payment = record(
        books.project,
        amount=Decimal("120000"),
        booked_on=day_in_previous_quarter(2),
        contract=books.contract,
        invoice_number="FP-2026-0001",
        bank_reference="B-20260101",
        counterparty="瑞安市建筑工程有限公司",
        purpose="第一期进度款",
    )
    disclosure_publish(
        actor=personas.bureau, project=books.project, year=previous_quarter()[0], quarter=previous_quarter()[1]
    )
    return payment, page_of(books.project)


def test_it_shows_disclosed_quarters_and_the_payments(client, disclosed):
    _payment, page = disclosed
    html = client.get(page.url).content.decode()
    year, quarter = previous_quarter()
    assert f"{year} 年第 {quarter} 季度" in html
    assert "503,000.00 元" in html  # income of the quarter
    assert "383,000.00 元" in html  # closing balance
    for text in ("第一期进度款", "HT-001", "FP-2026-0001", "B-20260101", "120,000.00 元"):
        assert text in html


def test_it_shows_each_contract_with_what_it_allows_and_what_is_paid(client, disclosed, books):
    change_order(books.contract, "50000.00")
    _payment, page = disclosed
    html = client.get(page.url).content.decode()
    contracts = html[html.index("合同金额") - 300 : html.index("支出明细")]
    assert books.contract.contractor.name in contracts
    for figure in ("1,000,000.00 元", "50,000.00 元", "120,000.00 元", "930,000.00 元"):
        assert figure in contracts


def test_it_shows_a_correction_as_its_own_dated_line_and_in_the_change_log(client, personas, disclosed):
    payment, page = disclosed
    ledger_entry_correct(actor=personas.street_a, entry=payment, amount=Decimal("-20000"), reason="多付退回")
    html = client.get(page.url).content.decode()
    today = timezone.localdate().isoformat()
    assert "更正：第一期进度款" in html
    assert "-20,000.00 元" in html
    assert "尚未公开" in html  # the running figure after the disclosure
    assert "383,000.00 元" in html  # the disclosed quarter still says what it said
    change_log = client.get(f"{page.url}changes/").content.decode()
    assert "资金台账更正" in change_log
    assert today in change_log
    assert "多付退回" in change_log


def test_it_never_shows_a_residents_name_or_phone_number(client, disclosed, books):
    _payment, page = disclosed
    html = client.get(page.url).content.decode()
    assert "李秀英" not in html
    assert "13800000000" not in html  # the contractor's contact phone stays in the back office
    assert "王经理" not in html


def test_it_says_so_when_nothing_is_recorded(client, books, page_of):
    html = client.get(page_of(books.project).url).content.decode()
    assert "尚未记录任何收入或支出" in html


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_its_query_count_does_not_grow_with_entries_or_quarters(client, personas, record, page_of):
    def books_with(n: int, code: str):
        project = ProjectFactory(neighbourhood=personas.street_a_place, code=code, slug=code.lower())
        contract = contract_for(project, "9000000")
        for i in range(n):
            record(project, amount=Decimal("100"), contract=contract, booked_on=day_in_previous_quarter(i % 20))
            record(project, kind=EntryKind.INCOME, amount=Decimal("300"), booked_on=day_in_previous_quarter(i % 20))
        year, quarter = previous_quarter()
        disclosure_publish(actor=personas.bureau, project=project, year=year, quarter=quarter)
        first = project.ledger_entries.order_by("pk").first()
        ledger_entry_correct(actor=personas.bureau, entry=first, amount=Decimal("-1"), reason="更正")
        return page_of(project).url

    small, large = books_with(2, "SMALL"), books_with(30, "LARGE")
    client.get(small)
    client.get(large)
    assert _count(client, small) == _count(client, large)


def test_it_puts_the_latest_quarters_first_and_folds_older_ones(client, books, personas, record, page_of):
    record(books.project, kind=EntryKind.INCOME, booked_on=day_in_previous_quarter())
    year, quarter = previous_quarter()
    published = []
    for _n in range(5):
        disclosure_publish(actor=personas.bureau, project=books.project, year=year, quarter=quarter)
        published.append(f"{year} 年第 {quarter} 季度")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    html = client.get(page_of(books.project).url).content.decode()
    positions = [html.index(label) for label in published]
    assert positions == sorted(positions)  # newest first
    assert "更早的 1 个季度" in html
    assert html.index('<details class="earlier-quarters">') < positions[4]


def test_it_sums_the_plans_disclosed_money_on_the_home_page(client, site_tree, disclosed, books):
    books.project.plan_year = timezone.localdate().year
    books.project.save()
    html = client.get(f"/?year={books.project.plan_year}").content.decode()
    assert "已公开收入" in html
    assert "50.30 万元" in html  # 503,000 yuan of income disclosed
    assert "12.00 万元" in html  # 120,000 yuan paid
