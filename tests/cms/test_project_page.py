from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.projects.models import ProjectStatus
from renovation.projects.services import project_update


def test_it_shows_the_projects_facts_and_figures(client, published_project):
    project, page = published_project(items=2, budget_central=Decimal("1200000"))
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert project.name in html
    assert "飞云花园" in html
    assert "483" in html  # households
    assert "120.00 万元" in html  # central subsidy in 万元
    assert 'role="progressbar"' in html
    assert f'aria-valuenow="{project.progress:.1f}"' in html
    assert "建筑" in html and "道路交通和停车" in html  # work items grouped by category


def test_it_shows_progress_from_the_back_end_not_a_copy(client, personas, published_project):
    project, page = published_project(items=1, reports_per_item=0)
    assert 'aria-valuenow="0.0"' in client.get(page.url).content.decode()
    from renovation.projects.services import progress_report_confirm, progress_report_submit

    report = progress_report_submit(actor=personas.bureau, work_item=project.work_items.get(), percent=Decimal("64"))
    progress_report_confirm(actor=personas.bureau, report=report)
    assert 'aria-valuenow="64.0"' in client.get(page.url).content.decode()


def test_it_answers_404_for_a_slug_that_does_not_exist(client, published_project):
    published_project()
    assert client.get("/projects/no-such-project/").status_code == 404


def test_it_lists_public_changes_and_hides_internal_fields(client, personas, published_project):
    project, page = published_project(items=1, status=ProjectStatus.UNDER_CONSTRUCTION, actual_start=date(2023, 3, 1))
    project_update(
        actor=personas.bureau,
        project=project,
        data={
            "summary": "内部备注不应出现在变更记录",
            "status": ProjectStatus.ACCEPTED,
            "actual_end": date(2023, 12, 1),
        },
    )
    assert f"{page.url}changes/" in client.get(page.url).content.decode()
    html = client.get(f"{page.url}changes/").content.decode()
    change_log = html.split("变更记录", 1)[1]
    assert "已验收" in change_log and "施工中" in change_log
    assert "2023-12-01" in change_log
    assert "内部备注不应出现在变更记录" not in change_log
    assert personas.bureau.username not in change_log  # staff names stay internal


def test_it_draws_a_timeline_of_planned_and_actual_dates(client, published_project):
    _project, page = published_project(items=2, actual_start=date(2023, 3, 10))
    html = client.get(page.url).content.decode()
    assert "timeline__bar--planned" in html
    assert "timeline__bar--actual" in html


@pytest.mark.parametrize("language, expected", [("zh-hans", "改造内容"), ("en", "Works")])
def test_it_speaks_chinese_first_and_english_on_request(client, published_project, language, expected):
    _project, page = published_project(items=1)
    client.cookies["django_language"] = language
    assert expected in client.get(page.url).content.decode()


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_its_query_count_does_not_grow_with_work_items_or_reports(client, published_project):
    _small, small_page = published_project(items=5, reports_per_item=1, code="SMALL", slug="small")
    _large, large_page = published_project(items=50, reports_per_item=3, code="LARGE", slug="large")
    client.get(small_page.url)  # warm caches (site root, content types) and open both threads
    client.get(large_page.url)
    assert _count_queries(client, small_page.url) == _count_queries(client, large_page.url)


def test_it_stays_chinese_for_an_english_browser_until_english_is_chosen(client, published_project):
    _project, page = published_project(items=1)
    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "改造内容" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": page.url})
    assert response.status_code == 302
    assert "Works" in client.get(page.url).content.decode()


def test_it_names_each_contractor_with_its_works_as_the_construction_unit(client, published_project):
    from tests.finance.factories import contract_for

    project, page = published_project(items=2)
    first, second = project.work_items.order_by("pk")
    contract_for(project, company="温州宏业建设有限公司").work_items.set([first])
    contract_for(project, company="浙江安居市政园林有限公司").work_items.set([second])

    html = client.get(page.url).content.decode()

    assert "施工单位" in html
    assert (
        f'<strong>温州宏业建设有限公司</strong><span class="contractor-list__works">{first.description}</span>' in html
    )
    assert (
        f'<strong>浙江安居市政园林有限公司</strong><span class="contractor-list__works">{second.description}</span>'
        in html
    )


def test_its_query_count_does_not_grow_with_contracts(client, published_project):
    from tests.finance.factories import contract_for

    few, few_page = published_project(items=2, code="FEW", slug="few")
    many, many_page = published_project(items=6, code="MANY", slug="many")
    contract_for(few, company="温州宏业建设有限公司").work_items.set(few.work_items.all())
    for item in many.work_items.all():
        contract_for(many).work_items.set([item])
    client.get(few_page.url)
    client.get(many_page.url)
    assert _count_queries(client, few_page.url) == _count_queries(client, many_page.url)


def test_it_dates_progress_in_the_change_log_by_the_day_it_was_reached_on_site(client, personas, published_project):
    from renovation.projects.services import progress_report_confirm, progress_report_submit

    project, page = published_project(items=1, reports_per_item=0)
    report = progress_report_submit(
        actor=personas.bureau, work_item=project.work_items.get(), percent=Decimal("45"), reported_on=date(2023, 6, 3)
    )
    progress_report_confirm(actor=personas.bureau, report=report)

    html = client.get(f"{page.url}changes/").content.decode()

    assert '<time datetime="2023-06-03">2023-06-03</time>' in html


def test_it_gives_a_deliberation_step_the_same_date_in_the_notices_and_the_change_log(
    client, personas, published_project
):
    from renovation.consultation.models import Deliberation, DeliberationStatus
    from renovation.consultation.selectors import consultation_change_log, deliberation_notices

    project, _page = published_project(items=1)
    deliberation = Deliberation.objects.create(project=project, subject="加装电梯方案")
    deliberation.status = DeliberationStatus.FILED
    deliberation.filed_on = date(2023, 5, 15)
    deliberation.filed_with = "安阳街道办事处"
    deliberation.save()

    [filed] = [notice for notice in deliberation_notices(project) if "备案" in notice.title]
    [logged] = [entry for entry in consultation_change_log(project) if not entry.created]

    assert filed.when == date(2023, 5, 15)
    assert logged.day_only and logged.when.date() == date(2023, 5, 15)


def test_its_change_log_is_paginated(client, personas, published_project, settings):
    settings.CHANGE_LOG_PAGE_SIZE = 2
    project, page = published_project(items=1)
    for step in range(3):
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal(1000 * (step + 1))})
    first = client.get(f"{page.url}changes/").content.decode()
    assert first.count("<li>\n      <time") == 2 and '?page=2" rel="next"' in first
    last = client.get(f"{page.url}changes/?page=9").content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_its_query_count_does_not_grow_with_history_or_comments(client, personas, published_project):
    from renovation.discussion.selectors import project_thread
    from renovation.discussion.services import comment_post

    _quiet, quiet_page = published_project(items=2, code="QUIET", slug="quiet")
    busy, busy_page = published_project(items=2, code="BUSY", slug="busy")
    for step in range(20):
        project_update(actor=personas.bureau, project=busy, data={"budget_other": Decimal(100 * (step + 1))})
    for index in range(5):
        comment_post(actor=personas.resident, thread=project_thread(busy), text=f"第{index}条")
    counts = []
    for url in (quiet_page.url, busy_page.url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- A fixed number of queries, whatever the project's size (issue 17 item 2) ---------------------

PROJECT_PAGE_MAX_QUERIES = 15


def _grow(project, personas, cast_supervisor, size: int) -> None:
    """Add ``size`` of everything a project page shows: payments, public issues with photos,
    tenders with contracts, comments and history rows."""
    from renovation.discussion.selectors import project_thread
    from renovation.discussion.services import comment_post
    from renovation.finance.models import EntryKind, LedgerEntry
    from renovation.supervision.services import site_issue_accept, site_issue_report
    from tests.finance.factories import contract_for
    from tests.supervision.fixtures import jpeg

    for index in range(size):
        contract = contract_for(project, "100000.00")
        contract.work_items.set(project.work_items.all()[:1])
        LedgerEntry.objects.create(
            project=project,
            kind=EntryKind.PAYMENT,
            amount=Decimal("1000.00"),
            booked_on=date(2024, 2, 1 + index % 27),
            counterparty=contract.contractor.name,
            purpose="进度款",
            contract=contract,
        )
        issue = site_issue_report(
            actor=cast_supervisor,
            project=project,
            category="quality",
            severity="general",
            description=f"第{index}处外墙开裂",
            location=f"{index}幢",
            photos=[jpeg()],
        )
        site_issue_accept(actor=personas.bureau, issue=issue)
        comment_post(actor=personas.resident, thread=project_thread(project), text=f"第{index}条")
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal(100 * (index + 1))})


def _rebuilt_count(client, page) -> int:
    from cms.summary import project_summaries_rebuild

    project_summaries_rebuild([page.project_id])
    client.get(page.url)
    return _count_queries(client, page.url)


def test_it_runs_at_most_15_queries_whatever_the_size_of_its_history(client, personas, cast, published_project):
    from cms.services import project_page_ensure

    page = project_page_ensure(project=cast.project)
    _grow(cast.project, personas, cast.supervisor, 1)
    small = _rebuilt_count(client, page)
    _grow(cast.project, personas, cast.supervisor, 7)
    large = _rebuilt_count(client, page)

    assert small <= PROJECT_PAGE_MAX_QUERIES
    assert large == small
    html = client.get(page.url).content.decode()
    assert html.count('class="public-issue"') == 5 and f"{page.url}issues/" in html  # the latest, then a link
    assert html.count('class="ledger-line__amount"') == 5 and f"{page.url}payments/" in html


def test_it_rebuilds_its_summary_after_a_committed_change(
    personas, published_project, django_capture_on_commit_callbacks
):
    from renovation.projects.models import ProjectPublicSummary

    project, _page = published_project(items=1)
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"budget_other": Decimal("250000")})
    assert ProjectPublicSummary.objects.filter(project=project).exists()


def test_it_computes_live_when_its_summary_is_past_its_time(client, personas, published_project):
    from datetime import timedelta

    from django.utils import timezone

    from cms.summary import project_summaries_rebuild
    from renovation.finance.models import EntryKind, LedgerEntry
    from renovation.projects.models import ProjectPublicSummary

    project, page = published_project(items=1)
    project_summaries_rebuild([project.pk])
    # Written around the services, so the summary does not know: only its time says it is stale.
    LedgerEntry.objects.create(
        project=project,
        kind=EntryKind.PAYMENT,
        amount=Decimal("4321.00"),
        booked_on=date(2024, 2, 1),
        counterparty="瑞安市建筑工程有限公司",
        purpose="进度款",
    )
    assert "4,321.00" not in client.get(page.url).content.decode()
    ProjectPublicSummary.objects.filter(project=project).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert "4,321.00" in client.get(page.url).content.decode()


def test_it_lists_every_payment_and_issue_on_pages_of_their_own(client, personas, cast):
    from cms.services import project_page_ensure

    page = project_page_ensure(project=cast.project)
    _grow(cast.project, personas, cast.supervisor, 7)
    payments = client.get(f"{page.url}payments/").content.decode()
    issues = client.get(f"{page.url}issues/").content.decode()
    assert payments.count('class="ledger-line__amount"') == 7
    assert issues.count('class="public-issue"') == 7 and "第0处外墙开裂" in issues
