from cms.demo import seed_notices
from cms.documents import DocumentKind, PublicDocument
from cms.models import NoticePage
from renovation.projects.models import ProjectStatus


def test_it_seeds_a_notice_with_a_real_pdf_and_project_documents(client, personas, published_project):
    project, page = published_project(items=1, status=ProjectStatus.UNDER_CONSTRUCTION)
    seed_notices(new_password=None, account_class=None)

    notice = NoticePage.objects.get(slug="demo-works-notice")
    assert notice.live and notice.project == project and notice.owner == personas.street_a
    attachment = notice.public_documents.get().document
    with attachment.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    kinds = set(PublicDocument.objects.filter(page=page).values_list("kind", flat=True))
    assert kinds == {DocumentKind.PLAN, DocumentKind.DESIGN}
    html = client.get(page.url).content.decode()
    assert "飞云花园改造方案（公示稿）" in html and notice.title in html

    seed_notices(new_password=None, account_class=None)  # idempotent
    assert NoticePage.objects.count() == 2
