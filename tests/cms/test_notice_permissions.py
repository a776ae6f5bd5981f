"""Who may write which notice in Wagtail: bureau staff any, street staff only their own street's."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import NoticeIndexPage, NoticePage


def _street(persona_place):
    return persona_place.community.street


def _refused(response) -> bool:
    """Wagtail answers a signed-in editor without permission on a page by sending them to the dashboard."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def _form(title, street, date="2026-05-01", slug="notice"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": date,
            "street": street.pk if street is not None else "",
            "project": "",
            "body": streamfield([("paragraph", rich_text("<p>小区东门临时封闭。</p>"))]),
            "public_documents": inline_formset([]),
            "action-publish": "publish",
        }
    )


def test_it_lets_street_staff_edit_their_own_streets_notice(login, notice, personas):
    page = notice("安阳街道通知", street=_street(personas.street_a_place))
    assert login(personas.street_a).get(f"/admin/pages/{page.pk}/edit/").status_code == 200


def test_it_refuses_street_staff_another_streets_notice(login, notice, personas):
    page = notice("玉海街道通知", street=_street(personas.street_b_place))
    client = login(personas.street_a)
    assert _refused(client.get(f"/admin/pages/{page.pk}/edit/"))
    client.post(f"/admin/pages/{page.pk}/edit/", _form("被改掉的标题", _street(personas.street_a_place)))
    page.refresh_from_db()
    assert page.title == "玉海街道通知"


def test_it_refuses_street_staff_a_city_wide_notice(login, notice, personas):
    page = notice("全市通知")
    assert _refused(login(personas.street_a).get(f"/admin/pages/{page.pk}/edit/"))


def test_it_lets_bureau_staff_edit_every_notice(login, notice, personas):
    page = notice("玉海街道通知", street=_street(personas.street_b_place))
    assert login(personas.bureau).get(f"/admin/pages/{page.pk}/edit/").status_code == 200


def test_it_lets_street_staff_publish_a_notice_for_their_street(login, personas, site_tree):
    index = NoticeIndexPage.objects.get()
    client = login(personas.street_a)
    response = client.post(
        f"/admin/pages/add/cms/noticepage/{index.pk}/", _form("安阳街道施工通知", _street(personas.street_a_place))
    )
    assert response.status_code == 302
    page = NoticePage.objects.get(title="安阳街道施工通知")
    assert page.live and page.street == _street(personas.street_a_place)


def test_it_refuses_street_staff_a_notice_for_another_street(login, personas, site_tree):
    index = NoticeIndexPage.objects.get()
    client = login(personas.street_a)
    response = client.post(
        f"/admin/pages/add/cms/noticepage/{index.pk}/", _form("冒名通知", _street(personas.street_b_place))
    )
    assert response.status_code == 200  # the form again, with its error
    assert "street" in response.context["form"].errors
    assert not NoticePage.objects.filter(title="冒名通知").exists()
    response = client.post(f"/admin/pages/add/cms/noticepage/{index.pk}/", _form("全市冒名通知", None))
    assert "street" in response.context["form"].errors
    assert not NoticePage.objects.filter(title="全市冒名通知").exists()


def test_it_keeps_street_staff_off_the_notice_index_itself(login, personas, site_tree):
    index = NoticeIndexPage.objects.get()
    client = login(personas.street_a)
    assert _refused(client.get(f"/admin/pages/{index.pk}/edit/"))
    assert _refused(client.get(f"/admin/pages/{index.pk}/unpublish/"))
    assert client.get(f"/admin/pages/add/cms/noticepage/{index.pk}/").status_code == 200


def test_it_offers_street_staff_only_their_street_already_chosen(login, personas, site_tree):
    index = NoticeIndexPage.objects.get()
    response = login(personas.street_a).get(f"/admin/pages/add/cms/noticepage/{index.pk}/")
    street = response.context["form"]["street"]
    assert list(street.field.queryset) == [_street(personas.street_a_place)]
    assert street.value() == _street(personas.street_a_place).pk
