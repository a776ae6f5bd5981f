"""A project's documents (改造方案, 设计图, 验收报告) on its page, and tender documents on the tender's page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.documents import DocumentKind
from cms.services import project_document_add, project_page_ensure


def test_it_lists_the_projects_documents_by_kind(client, personas, published_project, upload):
    project, page = published_project(items=1)
    plan = upload("飞云花园改造方案（公示稿）", "plan.pdf")
    report = upload("飞云花园竣工验收报告", "report.pdf")
    project_document_add(actor=personas.bureau, project=project, document=plan, kind=DocumentKind.PLAN)
    project_document_add(actor=personas.bureau, project=project, document=report, kind=DocumentKind.ACCEPTANCE)
    html = client.get(page.url).content.decode()
    assert "改造方案" in html and "验收报告" in html
    assert html.index("飞云花园改造方案（公示稿）") < html.index("飞云花园竣工验收报告")
    assert plan.url in html and report.url in html
    assert "设计图" not in html  # no drawings yet: no heading for them


def test_its_query_count_does_not_grow_with_documents_or_notices(client, personas, published_project, upload, notice):
    project, page = published_project(items=1)
    client.get(page.url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page.url).status_code == 200
    for number in range(4):
        document = upload(f"设计图{number}", f"design-{number}.pdf")
        project_document_add(actor=personas.bureau, project=project, document=document, kind=DocumentKind.DESIGN)
        notice(f"项目通知{number}", project=project, slug=f"project-notice-{number}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(page.url).content.decode()
    assert "设计图3" in html and "项目通知3" in html
    assert len(many) == len(few)


def test_it_lists_a_tenders_documents_on_the_tender_page(client, personas, tender_cast, upload):
    project_page_ensure(project=tender_cast.project)
    document = upload("外立面改造施工招标文件", "tender.pdf")
    project_document_add(
        actor=personas.bureau,
        project=tender_cast.project,
        document=document,
        kind=DocumentKind.TENDER,
        tender=tender_cast.tender,
    )
    html = client.get(f"/tenders/{tender_cast.tender.pk}/").content.decode()
    assert "招标文件" in html and "外立面改造施工招标文件" in html and document.url in html


def test_it_refuses_tender_documents_of_another_projects_tender(personas, tender_cast, published_project, upload):
    other, _page = published_project(items=1, code="OTHER", slug="other")
    document = upload("错挂的招标文件", "wrong.pdf")
    with pytest.raises(ValidationError) as refused:
        project_document_add(
            actor=personas.bureau, project=other, document=document, kind=DocumentKind.TENDER, tender=tender_cast.tender
        )
    assert refused.value.message_dict == {"tender": ["请选择本项目的招标。"]}


def test_it_keeps_project_documents_to_those_who_publish_project_pages(personas, published_project, upload):
    project, _page = published_project(items=1)
    document = upload("改造方案", "plan.pdf")
    with pytest.raises(PermissionDenied, match="您无权发布此项目的页面"):
        project_document_add(actor=personas.street_a, project=project, document=document, kind=DocumentKind.PLAN)


def test_it_refuses_a_file_type_that_is_not_published(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cms.services import document_upload

    with pytest.raises(ValidationError) as refused:
        document_upload(actor=personas.bureau, title="脚本", file=SimpleUploadedFile("x.exe", b"MZ"))
    assert refused.value.message_dict == {"file": ["此类文件不能在这里发布。"]}


def test_it_shows_no_personal_data_with_notices_and_documents(client, personas, published_project, upload, notice):
    personas.bureau.first_name, personas.bureau.last_name = "科长", "王某某"
    personas.bureau.email = "wang.kezhang@example.org"
    personas.bureau.save()
    project, page = published_project(items=1)
    document = upload("改造方案", "plan.pdf")
    project_document_add(actor=personas.bureau, project=project, document=document, kind=DocumentKind.PLAN)
    item = notice("开工通知", project=project, attachments=[document])
    for url in (page.url, item.url, "/notices/", "/search/?q=改造方案&type=documents"):
        html = client.get(url).content.decode()
        for private in ("王某某", "staff_a", "wang.kezhang"):
            assert private not in html.split("<footer", 1)[0], (url, private)


def test_it_offers_the_documents_block_in_the_project_page_editor(login, personas, published_project):
    _project, page = published_project(items=1)
    response = login(personas.bureau).get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    assert "项目文件" in response.content.decode()


def test_the_households_brief_lists_the_plan_not_the_acceptance_report(personas, published_project, upload):
    from renovation.consultation.brief import DOCUMENT_SOURCES

    project, _page = published_project(items=1)
    plan = upload("飞云花园改造方案（公示稿）", "plan.pdf")
    report = upload("飞云花园竣工验收报告", "report.pdf")
    project_document_add(actor=personas.bureau, project=project, document=plan, kind=DocumentKind.PLAN)
    project_document_add(actor=personas.bureau, project=project, document=report, kind=DocumentKind.ACCEPTANCE)
    listed = [document for source in DOCUMENT_SOURCES for document in source(project)]
    assert [(document.title, document.url) for document in listed] == [("飞云花园改造方案（公示稿）", plan.url)]
