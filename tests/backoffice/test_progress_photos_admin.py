"""Staff attach photos of the works on the progress-report screen; the reviewer sees them there."""

from decimal import Decimal

from django.urls import reverse

from renovation.projects.models import ProgressPhoto, ProgressReport
from renovation.projects.services import progress_report_submit
from tests.factories import ProjectFactory, WorkItemFactory
from tests.projects.photos import not_an_image, phone_jpeg


def _item(personas):
    return WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_a_place))


def test_its_form_takes_several_photos_and_their_phase(login, personas):
    item = _item(personas)
    client = login(personas.street_a)
    html = client.get(reverse("progressreport:add")).content.decode()
    assert 'enctype="multipart/form-data"' in html and "multiple" in html and "照片拍摄于" in html

    response = client.post(
        reverse("progressreport:add"),
        {
            "work_item": item.pk,
            "percent": "30",
            "reported_on": "2023-06-01",
            "photo_phase": "before",
            "photos": [phone_jpeg("1.jpg"), phone_jpeg("2.jpg", color="green")],
        },
    )

    assert response.status_code == 302
    report = item.progress_reports.get()
    assert list(report.photos.values_list("phase", flat=True)) == ["before", "before"]


def test_it_shows_why_a_file_is_refused_and_saves_nothing(login, personas):
    item = _item(personas)
    response = login(personas.street_a).post(
        reverse("progressreport:add"),
        {
            "work_item": item.pk,
            "percent": "30",
            "reported_on": "2023-06-01",
            "photo_phase": "during",
            "photos": [phone_jpeg(), not_an_image("现场.docx")],
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == [
        "“现场.docx”不是可识别的照片（支持 JPEG、PNG、WebP 或 HEIC）。"
    ]
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()


def test_the_reviewer_sees_the_photos_through_the_permission_checked_view(login, personas):
    report = progress_report_submit(
        actor=personas.street_a, work_item=_item(personas), percent=Decimal("45"), photos=[phone_jpeg()]
    )
    photo = report.photos.get()
    client = login(personas.bureau)

    html = client.get(reverse("progressreport:edit", args=[report.pk])).content.decode()

    assert f'src="{photo.thumbnail_url}"' in html
    assert client.get(photo.thumbnail_url).status_code == 200


def test_street_staff_withdraw_a_photo_with_a_reason_in_the_admin(login, personas, django_capture_on_commit_callbacks):
    report = progress_report_submit(
        actor=personas.street_a, work_item=_item(personas), percent=Decimal("45"), photos=[phone_jpeg()]
    )
    photo = report.photos.get()
    client = login(personas.street_a)
    assert client.get(reverse("progressphoto:index")).status_code == 200

    refused = client.post(reverse("progressphoto:edit", args=[photo.pk]), {"withdrawal_reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["withdrawal_reason"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("progressphoto:edit", args=[photo.pk]), {"withdrawal_reason": "拍到了住户门牌"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.withdrawn_by == personas.street_a and photo.withdrawal_reason == "拍到了住户门牌"

    client.force_login(personas.street_b)
    assert client.get(reverse("progressphoto:edit", args=[photo.pk])).status_code == 403
