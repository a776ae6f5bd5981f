"""The project ledger (台账): every project the user may manage, filtered as on the index page."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.finance.models import EntryKind
from renovation.finance.services import ledger_entry_record
from renovation.reports.exports import ProjectFilters, project_ledger_rows
from renovation.supervision.models import IssueStatus
from renovation.tendering.models import ChangeOrderStatus
from tests.factories import ProjectFactory
from tests.finance.factories import change_order, contract_for
from tests.reports.conftest import header_of, read_xlsx, rows_of


def _ledger(client, urls, **query):
    response = client.get(urls["ledger"], query)
    assert response.status_code == 200, getattr(response, "content", b"")[:2000]
    return response, read_xlsx(response).worksheets[0]


def _by_header(sheet, row_number):
    return dict(zip(header_of(sheet), sheet[row_number], strict=True))


def test_it_lists_every_project_with_its_neighbourhood_budget_progress_and_dates(login, personas, ledger, urls):
    contract_for(ledger.feiyun, company="瑞安市建筑工程有限公司")
    _response, sheet = _ledger(login(personas.bureau), urls, street="anyang")
    assert [row[0] for row in rows_of(sheet)] == ["RA-2026-01", "RA-2026-02"]
    feiyun = _by_header(sheet, 3)
    assert feiyun["项目名称"].value == "飞云花园改造"
    assert feiyun["街道"].value == "安阳街道"
    assert feiyun["小区"].value == "飞云花园"
    assert feiyun["户数"].value == 483
    assert feiyun["建成年份"].value == 1995
    assert feiyun["计划年度"].value == 2026
    assert feiyun["状态"].value == "施工中"
    assert feiyun["中央补助资金（元）"].value == 500000
    assert feiyun["中央补助资金（元）"].number_format == '#,##0.00 "元"'
    total = feiyun[_("Total budget (yuan)")]
    assert total.value == 800000
    assert total.number_format == '#,##0.00 "元"'
    assert feiyun["进度（%）"].value == pytest.approx(0.425)
    assert feiyun["进度（%）"].number_format == "0.0%"
    assert feiyun["实际开工日期"].value == datetime(2026, 3, 16)
    assert feiyun["实际开工日期"].number_format == "yyyy-mm-dd"
    assert feiyun["实际竣工日期"].value is None
    assert feiyun["施工单位"].value == "瑞安市建筑工程有限公司"


def test_it_names_as_construction_units_the_companies_holding_the_contracts(login, personas, ledger, urls):
    contract_for(ledger.feiyun, "600000.00", company="温州宏业建设有限公司")
    contract_for(ledger.feiyun, "100000.00", company="浙江安居市政园林有限公司")
    _response, sheet = _ledger(login(personas.bureau), urls, street="anyang")
    feiyun = _by_header(sheet, 3)
    assert feiyun["施工单位"].value == "温州宏业建设有限公司、浙江安居市政园林有限公司"
    assert _by_header(sheet, 4)["施工单位"].value is None  # 向阳小区: no contract, no construction unit


def test_it_adds_contract_amounts_with_approved_changes_and_payments(login, personas, ledger, urls):
    contract = contract_for(ledger.feiyun, "600000.00")
    contract_for(ledger.feiyun, "100000.00")
    change_order(contract, "50000.00", ChangeOrderStatus.APPROVED)
    change_order(contract, "70000.00", ChangeOrderStatus.PROPOSED)
    for amount in ("200000.00", "0.50"):
        ledger_entry_record(
            actor=personas.bureau,
            data={
                "project": ledger.feiyun,
                "kind": EntryKind.PAYMENT,
                "amount": Decimal(amount),
                "booked_on": timezone.localdate(),
                "counterparty": "瑞安市建筑工程有限公司",
                "purpose": "进度款",
                "contract": contract,
            },
        )
    _response, sheet = _ledger(login(personas.bureau), urls, street="anyang")
    feiyun, xiangyang = _by_header(sheet, 3), _by_header(sheet, 4)
    assert feiyun["合同金额（含已批准变更，元）"].value == 750000
    assert feiyun["合同金额（含已批准变更，元）"].number_format == '#,##0.00 "元"'
    assert feiyun["已支付（元）"].value == pytest.approx(200000.50)
    assert (xiangyang["合同金额（含已批准变更，元）"].value, xiangyang["已支付（元）"].value) == (0, 0)


def test_it_counts_each_projects_site_issues(login, personas, ledger, urls, site_issue):
    site_issue(ledger.feiyun, overdue=True)
    site_issue(ledger.feiyun, status=IssueStatus.SUBMITTED)
    site_issue(ledger.feiyun, status=IssueStatus.CONFIRMED, confirmed_at=timezone.now())
    site_issue(ledger.yuhai, overdue=True)
    _response, sheet = _ledger(login(personas.bureau), urls, street="anyang")
    feiyun, xiangyang = _by_header(sheet, 3), _by_header(sheet, 4)
    counts = [_("Site issues reported"), _("Site issues open"), _("Site issues overdue")]
    assert [feiyun[header].value for header in counts] == [3, 2, 1]
    assert [xiangyang[header].value for header in counts] == [0, 0, 0]


def test_it_titles_the_sheet_with_the_date_and_the_filter(login, personas, ledger, urls):
    _response, sheet = _ledger(login(personas.bureau), urls, street="anyang", status="under_construction")
    title = sheet["A1"].value
    assert title.startswith(_("Project ledger"))
    assert timezone.localdate().isoformat() in title
    assert "安阳街道" in title and "施工中" in title
    assert sheet.freeze_panes == "C3"


def test_it_filters_as_the_project_index_does(login, personas, ledger, urls):
    client = login(personas.bureau)
    assert [row[0] for row in rows_of(_ledger(client, urls, q="飞云")[1])] == ["RA-2026-01"]
    assert [row[0] for row in rows_of(_ledger(client, urls, status="approved")[1])] == ["RA-2026-02"]
    assert [row[0] for row in rows_of(_ledger(client, urls, year="2026", street="yuhai")[1])] == ["RA-2026-03"]


def test_it_disarms_a_project_name_written_as_a_formula(login, personas, ledger, urls):
    _response, sheet = _ledger(login(personas.bureau), urls, street="anyang")
    cell = _by_header(sheet, 4)["项目名称"]
    assert cell.data_type == "s"
    assert cell.value == "'" + ledger.xiangyang.name


def test_it_shows_street_staff_only_their_street(login, personas, ledger, urls):
    _response, sheet = _ledger(login(personas.street_b), urls)
    assert [row[0] for row in rows_of(sheet)] == ["RA-2026-03"]


def test_it_refuses_street_staff_a_filter_for_another_street(login, personas, ledger, urls):
    response = login(personas.street_b).get(urls["ledger"], {"street": "anyang"})
    assert response.status_code == 400
    assert not response.streaming


def test_it_downloads_as_an_attachment_with_a_dated_utf8_name(login, personas, ledger, urls):
    response, _sheet = _ledger(login(personas.bureau), urls)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = timezone.localdate().isoformat()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="project-ledger-{today}.xlsx"' in disposition
    assert "filename*=UTF-8''" in disposition


def test_it_reads_the_ledger_in_one_query_in_chunks(personas, ledger, site_issue, django_assert_num_queries):
    site_issue(ledger.feiyun, overdue=True)
    bureau = get_user_model().objects.get(pk=personas.bureau.pk)  # nothing cached on the user yet
    with django_assert_num_queries(3):  # the staff profile, the projects with their counts, their contracts
        rows = list(project_ledger_rows(bureau, ProjectFilters()))
    assert {row["code"]: row["issues_overdue"] for row in rows} == {"RA-2026-01": 1, "RA-2026-02": 0, "RA-2026-03": 0}
    assert rows[0]["budget_total"] == Decimal("800000")


def _download_queries(client, urls) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(urls["ledger"])
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_5_and_50_projects(login, personas, urls, site_issue):
    client = login(personas.bureau)
    for _n in range(5):
        project = ProjectFactory(neighbourhood=personas.street_a_place)
        site_issue(project, overdue=True)
        change_order(contract_for(project), "1000.00")
    client.get(urls["index"])  # warm the session and Wagtail's per-user caches
    five = _download_queries(client, urls)
    for _n in range(45):
        project = ProjectFactory(neighbourhood=personas.street_b_place)
        site_issue(project)
        change_order(contract_for(project), "1000.00")
    fifty = _download_queries(client, urls)
    assert len(read_xlsx(client.get(urls["ledger"])).worksheets[0]["A"]) == 2 + 50
    assert fifty == five
