from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.documents import DocumentKind
from cms.search import cjk_spaced, site_query
from cms.services import project_document_add


def test_it_spaces_chinese_characters_for_the_index_and_keeps_words_whole():
    assert cjk_spaced("飞云花园3幢 <b>CCTV</b>改造，2026年") == "飞 云 花 园 3 幢 CCTV 改 造 2026 年"


def test_it_turns_nothing_searchable_into_no_query():
    assert site_query("  ，。 ") is None


def test_it_finds_a_project_by_its_estate_name(client, published_project, personas):
    project, _page = published_project(items=1)
    published_project(items=1, neighbourhood=personas.street_b_place)
    html = client.get("/search/", {"q": "飞云花园"}).content.decode()
    assert project.name in html
    assert "玉海苑" not in html


def test_it_does_not_match_characters_out_of_order(client, published_project):
    published_project(items=1)
    html = client.get("/search/", {"q": "花园飞云"}).content.decode()
    assert "没有找到" in html


def test_it_finds_a_notice_by_a_word_in_its_body(client, notice):
    notice("关于施工安排的通知", paragraphs=["因雨污分流管道施工，东门临时封闭。"])
    notice("其他通知", paragraphs=["无关内容。"], slug="other")
    response = client.get("/search/", {"q": "雨污分流", "type": "notices"})
    html = response.content.decode()
    assert "关于施工安排的通知" in html and "其他通知" not in html


def test_it_finds_a_document_by_its_title(client, published_project, personas, upload):
    project, _page = published_project(items=1)
    document = upload("飞云花园改造设计图（总平面）", "design.pdf")
    project_document_add(actor=personas.bureau, project=project, document=document, kind=DocumentKind.DESIGN)
    html = client.get("/search/", {"q": "总平面", "type": "documents"}).content.decode()
    assert "飞云花园改造设计图（总平面）" in html and document.url in html


def test_it_leaves_out_what_is_not_published(client, notice, published_project):
    page = notice("尚未撤回的通知", paragraphs=["撤回测试内容"])
    page.unpublish()
    html = client.get("/search/", {"q": "撤回测试", "type": "notices"}).content.decode()
    assert "尚未撤回的通知" not in html


def test_it_pages_the_results_in_a_fixed_number_of_queries(client, notice):
    for number in range(3):
        notice(f"停水通知{number}", paragraphs=["小区停水安排"], slug=f"water-{number}")
    client.get("/search/", {"q": "停水"})
    with CaptureQueriesContext(connection) as few:
        assert client.get("/search/", {"q": "停水"}).status_code == 200
    for number in range(12):
        notice(f"更多停水通知{number}", paragraphs=["小区停水安排"], slug=f"more-water-{number}")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/search/", {"q": "停水"}).content.decode()
    assert len(many) == len(few)
    assert 'rel="next"' in html and "type=notices" in html


def test_it_answers_an_empty_or_odd_query_without_an_error(client, db):
    assert client.get("/search/").status_code == 200
    assert client.get("/search/", {"q": "！！", "page": "x"}).status_code == 200
    assert client.get("/search/", {"q": "a" * 500, "type": "nonsense"}).status_code == 200


def test_it_finds_a_project_by_its_estate_name_after_a_rename(
    client, published_project, personas, django_capture_on_commit_callbacks
):
    from renovation.places.services import neighbourhood_update

    project, _page = published_project(items=1)
    with django_capture_on_commit_callbacks(execute=True):
        neighbourhood_update(actor=personas.street_a, neighbourhood=project.neighbourhood, data={"name": "云栖新苑"})
    assert project.name in client.get("/search/", {"q": "云栖新苑"}).content.decode()


def test_it_finds_a_project_by_its_streets_new_name(
    client, published_project, personas, django_capture_on_commit_callbacks
):
    from renovation.places.services import street_update

    project, _page = published_project(items=1)
    street = project.neighbourhood.community.street
    with django_capture_on_commit_callbacks(execute=True):
        street_update(actor=personas.bureau, street=street, data={"name": "东山街道"})
    html = client.get("/search/", {"q": "东山街道"}).content.decode()
    assert project.name in html
