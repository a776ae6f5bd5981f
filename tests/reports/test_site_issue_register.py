"""The site-issue register: every issue the user may see, with its dates and response times."""

from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.supervision.models import IssueCategory, IssueStatus
from tests.factories import ProjectFactory
from tests.reports.conftest import beijing, header_of, read_xlsx, rows_of


def _register(client, urls, **query):
    response = client.get(urls["issues"], query)
    assert response.status_code == 200, getattr(response, "content", b"")[:2000]
    return read_xlsx(response).worksheets[0]


def _row(sheet, number=3):
    return dict(zip(header_of(sheet), rows_of(sheet)[number - 3], strict=True))


def test_it_lists_an_issue_with_its_dates_and_response_times(login, personas, ledger, urls, site_issue):
    issue = site_issue(
        ledger.feiyun,
        status=IssueStatus.RECTIFIED,
        created_at=beijing(2026, 5, 1, 8, 0),
        accepted_at=beijing(2026, 5, 1, 13, 30),
        rectified_at=beijing(2026, 5, 3, 13, 30),
        deadline=beijing(2026, 5, 4, 13, 30),
    )
    row = _row(_register(login(personas.bureau), urls))
    assert row[_("No.")] == issue.pk
    assert row["项目编号"] == "RA-2026-01"
    assert row["项目"] == "飞云花园改造"
    assert row[_("Street")] == "安阳街道"
    assert row["类别"] == str(IssueCategory.QUALITY.label)
    assert row["状态"] == str(IssueStatus.RECTIFIED.label)
    assert row["反映时间"] == datetime(2026, 5, 1, 8, 0)  # Beijing time, as a date-time cell
    assert row["受理时间"] == datetime(2026, 5, 1, 13, 30)
    assert row["整改期限"] == datetime(2026, 5, 4, 13, 30)
    assert row[_("Overdue")] == "否"
    assert row[_("Hours to accept")] == 5.5
    assert row[_("Days to rectify")] == 2.0


def test_it_marks_overdue_issues(login, personas, ledger, urls, site_issue):
    site_issue(ledger.feiyun, overdue=True)
    site_issue(ledger.feiyun, status=IssueStatus.SUBMITTED, created_at=timezone.now() - timedelta(days=9))
    sheet = _register(login(personas.bureau), urls)
    assert [_row(sheet, number)[_("Overdue")] for number in (3, 4)] == ["是", "否"]
    assert _row(sheet, 4)[_("Hours to accept")] is None


def test_it_formats_times_and_durations(login, personas, ledger, urls, site_issue):
    site_issue(ledger.feiyun)
    sheet = _register(login(personas.bureau), urls)
    headers = header_of(sheet)
    assert sheet.cell(3, headers.index("反映时间") + 1).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(3, headers.index(_("Hours to accept")) + 1).number_format == "0.0"
    assert sheet.freeze_panes == "B3"


def test_it_filters_by_status_and_reporting_dates(login, personas, ledger, urls, site_issue):
    old = site_issue(ledger.feiyun, status=IssueStatus.SUBMITTED, created_at=beijing(2026, 4, 30, 23, 59))
    may = site_issue(ledger.feiyun, status=IssueStatus.SUBMITTED, created_at=beijing(2026, 5, 1, 0, 0))
    site_issue(ledger.feiyun, created_at=beijing(2026, 5, 2, 0, 0))
    client = login(personas.bureau)
    submitted = _register(client, urls, status="submitted")
    assert [row[0] for row in rows_of(submitted)] == [may.pk, old.pk]
    in_may = _register(client, urls, reported_from="2026-05-01", reported_to="2026-05-01")
    assert [row[0] for row in rows_of(in_may)] == [may.pk]
    assert "2026-05-01" in in_may["A1"].value


def test_it_shows_street_staff_only_their_streets_issues(login, personas, ledger, urls, site_issue):
    site_issue(ledger.feiyun)
    theirs = site_issue(ledger.yuhai)
    sheet = _register(login(personas.street_b), urls)
    assert [row[0] for row in rows_of(sheet)] == [theirs.pk]


def test_it_refuses_dates_in_the_wrong_order(login, personas, urls):
    response = login(personas.bureau).get(urls["issues"], {"reported_from": "2026-05-02", "reported_to": "2026-05-01"})
    assert response.status_code == 400


def _download_queries(client, urls) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(urls["issues"])
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_it_runs_the_same_number_of_queries_for_5_and_50_issues(login, personas, urls, site_issue):
    client = login(personas.street_a)
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    for _n in range(5):
        site_issue(project, overdue=True)
    client.get(urls["index"])
    five = _download_queries(client, urls)
    for _n in range(45):
        site_issue(ProjectFactory(neighbourhood=personas.street_a_place))
    assert _download_queries(client, urls) == five
