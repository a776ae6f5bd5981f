"""Who may download a file of the document library: anyone once a live page publishes it; before
that (a draft notice's attachment) and after (an unpublished notice's) only editors."""

from django.test import Client
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import NoticeIndexPage, NoticePage


def _form(title, street, document, **action):
    return nested_form_data(
        {
            "title": title,
            "slug": "draft-notice",
            "date": "2026-05-01",
            "street": street.pk,
            "project": "",
            "body": streamfield([("paragraph", rich_text("<p>小区东门临时封闭。</p>"))]),
            "public_documents": inline_formset([{"document": document.pk}]),
            **action,
        }
    )


def _draft_notice(login, personas, document):
    """A notice street staff saved as a draft in Wagtail's editor, with the document attached."""
    index = NoticeIndexPage.objects.get()
    street = personas.street_a_place.community.street
    response = login(personas.street_a).post(
        f"/admin/pages/add/cms/noticepage/{index.pk}/", _form("东门封闭通知", street, document)
    )
    assert response.status_code == 302
    page = NoticePage.objects.get(title="东门封闭通知")
    assert not page.live and list(page.public_documents.values_list("document_id", flat=True)) == [document.pk]
    return page, street


def test_it_refuses_the_public_a_draft_notices_attachment_until_it_is_published(login, personas, site_tree, upload):
    document = upload("东门封闭示意图", "gate.pdf")
    page, street = _draft_notice(login, personas, document)
    public = Client()
    assert public.get(document.url).status_code == 404

    login(personas.street_a).post(
        f"/admin/pages/{page.pk}/edit/", _form("东门封闭通知", street, document, **{"action-publish": "publish"})
    )
    page.refresh_from_db()
    assert page.live
    served = public.get(document.url)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")

    login(personas.street_a).post(f"/admin/pages/{page.pk}/unpublish/")
    page.refresh_from_db()
    assert not page.live
    assert public.get(document.url).status_code == 404


def test_it_lets_editors_open_a_draft_notices_attachment(login, personas, site_tree, upload):
    document = upload("东门封闭示意图", "gate.pdf")
    _draft_notice(login, personas, document)
    assert login(personas.street_a).get(document.url).status_code == 200
    assert login(personas.bureau).get(document.url).status_code == 200


def test_it_refuses_another_streets_staff_a_draft_notices_attachment(login, personas, site_tree, upload):
    # Wagtail grants documents per collection and every street shares one: the street decides.
    document = upload("东门封闭示意图", "gate.pdf")
    _draft_notice(login, personas, document)
    assert login(personas.street_b).get(document.url).status_code == 404
    assert login(personas.street_a).get(document.url).status_code == 200


def test_street_staff_open_their_own_uploads_before_any_page_uses_them(login, personas, upload):
    own = upload("我的草图", "sketch.pdf", actor=personas.street_b)
    assert login(personas.street_b).get(own.url).status_code == 200
    assert login(personas.street_a).get(own.url).status_code == 404
    assert login(personas.bureau).get(own.url).status_code == 200


def test_it_refuses_signed_in_residents_a_draft_notices_attachment(login, personas, site_tree, upload):
    document = upload("东门封闭示意图", "gate.pdf")
    _draft_notice(login, personas, document)
    assert login(personas.resident).get(document.url).status_code == 404


def test_it_keeps_an_unused_upload_private(personas, upload):
    document = upload("尚未发布的文件", "unused.pdf")
    assert Client().get(document.url).status_code == 404


def test_it_serves_a_published_notices_attachment_and_a_project_documents(personas, notice, upload, published_project):
    from cms.documents import DocumentKind
    from cms.services import project_document_add

    attachment = upload("停水范围图", "water.pdf")
    notice(attachments=[attachment])
    project, _page = published_project(items=1)
    plan = upload("改造方案", "plan.pdf")
    project_document_add(actor=personas.bureau, project=project, document=plan, kind=DocumentKind.PLAN)
    assert Client().get(attachment.url).status_code == 200
    assert Client().get(plan.url).status_code == 200


def test_it_serves_a_document_linked_from_a_live_notices_body(personas, site_tree, upload):
    from wagtail.rich_text import RichText

    document = upload("施工安排表", "schedule.pdf")
    index = NoticeIndexPage.objects.get()
    page = NoticePage(
        title="施工安排",
        slug="schedule",
        body=[("paragraph", RichText("<p>见附表。</p>")), ("document", document)],
        live=False,
    )
    index.add_child(instance=page)
    assert Client().get(document.url).status_code == 404
    page.save_revision(user=personas.bureau).publish(user=personas.bureau)
    assert Client().get(document.url).status_code == 200
