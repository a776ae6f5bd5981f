"""Site notices (公示牌, issue 15 item 9): the board shows the project page's own facts, prints as a
page and as a PDF (A4 or A3), and a street's staff print their street's boards in one PDF."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from renovation.printing import pdf_font, wrap
from renovation.projects.models import ProjectStatus
from renovation.reports import notice_board
from tests.factories import ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_site(personas):
    project = ProjectFactory(
        neighbourhood=personas.street_a_place,
        name="飞云花园老旧小区改造",
        status=ProjectStatus.UNDER_CONSTRUCTION,
        budget_central=Decimal("0"),
        budget_city=Decimal("1496600.00"),
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 10, 3),
        supervising_engineer="浙江求实项目管理有限公司",
    )
    WorkItemFactory(
        project=project,
        category="building",
        description="楼道改造与扶手加装",
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 9, 30),
    )
    return project


def test_the_board_reads_the_figures_the_project_page_reads(on_site):
    board = notice_board.notice_board(on_site, "https://example.org/projects/x/", date(2026, 11, 1))
    facts = {fact.label: fact.value for fact in board.facts}
    assert facts["总投资"] == "1,496,600.00 元（壹佰肆拾玖万陆仟陆佰元整）"
    assert facts["施工单位"] == "尚未签订施工合同"  # no signed contract: nobody is named
    assert facts["计划工期"] == "2026-03-01 至 2026-10-03（已逾期 29 天）"
    assert facts["监理单位"] == "浙江求实项目管理有限公司"
    assert any("楼道改造与扶手加装" in work for work in board.works)
    assert board.hotline == "12345"


def test_the_print_view_and_the_pdf_in_both_sizes(client, on_site):
    page = client.get(f"/projects/{on_site.slug}/notice/")
    html = page.content.decode()
    assert page.status_code == 200 and "飞云花园老旧小区改造" in html and "<svg" in html
    assert "监督电话：12345" in html and "壹佰肆拾玖万陆仟陆佰元整" in html
    for size in ("a4", "a3"):
        pdf = client.get(f"/projects/{on_site.slug}/notice.pdf?size={size}")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and b"/MediaBox" in pdf.content
    assert b"841.8898 1190.551" in client.get(f"/projects/{on_site.slug}/notice.pdf?size=a3").content
    assert client.get(f"/projects/{on_site.slug}/notice.pdf?size=letter").status_code == 404
    assert client.get("/projects/no-such-project/notice/").status_code == 404


def test_the_project_page_links_to_its_notice(client, on_site, site_tree):
    from cms.services import project_page_ensure

    project_page_ensure(project=on_site)
    assert f"/projects/{on_site.slug}/notice/" in client.get(f"/projects/{on_site.slug}/").content.decode()


def test_a_streets_staff_print_their_streets_boards_and_no_other(login, personas, on_site):
    ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.PROPOSED)  # not on site yet
    url = f"/admin/exports/streets/{personas.street_a_place.community.street.code}/notices.pdf"
    pdf = login(personas.street_a).get(url)
    assert pdf.status_code == 200 and pdf.content.count(b"/Type /Page\n") + pdf.content.count(b"/Type /Page ") >= 1
    assert login(personas.street_b).get(url).status_code == 403
    assert login(personas.bureau).get(url).status_code == 200


def test_chinese_lines_wrap_between_characters():
    font = pdf_font()
    lines = wrap("温州宏业建设有限公司（楼道改造与扶手加装、强弱电“上改下”及光纤入户）" * 3, font, 14, 200)
    assert len(lines) > 3
    assert all(len(line) <= 15 for line in lines)  # 14 pt characters: 14 to a 200-point line
    assert "".join(lines).startswith("温州宏业建设有限公司")


def test_the_admin_reports_page_lists_the_streets_to_print(login, personas):
    with translation.override("zh-hans"):
        html = login(personas.street_a).get("/admin/exports/").content.decode()
    assert "工程公示牌" in html and "/admin/exports/streets/anyang/notices.pdf" in html
    assert "/streets/yuhai/notices.pdf" not in html


def test_a_streets_boards_cost_the_same_queries_for_more_projects(personas, on_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def _page_url(project):
        return f"/projects/{project.slug}/"

    def count() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as queries:
            boards = notice_board.street_boards(
                "anyang", lambda project: f"/projects/{project.slug}/", date(2026, 11, 1)
            )
        return len(queries), boards

    few, boards = count()
    assert [board.title for board in boards] == ["飞云花园老旧小区改造"]
    for _ in range(3):
        WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.TENDERING))
    many, boards = count()
    assert len(boards) == 4 and many == few
    # The batch and the single board say the same.
    assert boards[0] == notice_board.notice_board(on_site, "/projects/" + on_site.slug + "/", date(2026, 11, 1))
