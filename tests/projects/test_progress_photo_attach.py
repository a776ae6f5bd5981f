"""Staff attach photos of the works to a progress report through the site issues' photo pipeline."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from renovation.projects.models import PhotoPhase, ProgressPhoto, ProgressReport
from renovation.projects.services import progress_report_submit
from tests.factories import ProjectFactory, WorkItemFactory
from tests.projects.photos import not_an_image, phone_jpeg


@pytest.fixture
def item(personas):
    return WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_a_place), description="外立面整治")


def _submit(personas, item, photos, **extra):
    return progress_report_submit(
        actor=personas.street_a, work_item=item, percent=Decimal("30"), photos=photos, **extra
    )


def test_it_stores_several_photos_with_their_phase_in_order(personas, item):
    report = _submit(personas, item, [phone_jpeg("a.jpg"), phone_jpeg("b.jpg", color="blue")], photo_phase="before")

    photos = list(report.photos.order_by("sort_order"))
    assert [(photo.phase, photo.sort_order) for photo in photos] == [("before", 0), ("before", 1)]
    assert all(photo.uploaded_by == personas.street_a for photo in photos)
    assert photos[0].history.get().history_change_reason == "progress_photo_attach"


def test_it_keeps_no_location_or_camera_data(personas, item):
    photo = _submit(personas, item, [phone_jpeg()]).photos.get()

    for field in (photo.image, photo.thumbnail):
        with field.open("rb") as handle:
            data = handle.read()
        assert b"HUAWEI" not in data and b"GPS" not in data
        with Image.open(field.open("rb")) as opened:
            assert not opened.getexif()


def test_it_takes_a_report_without_photos(personas, item):
    report = _submit(personas, item, [])
    assert report.pk and not report.photos.exists()


def test_it_refuses_a_file_that_is_not_a_photo_in_chinese_and_saves_nothing(personas, item):
    with pytest.raises(ValidationError) as refused:
        _submit(personas, item, [phone_jpeg(), not_an_image("报价单.pdf")])

    assert refused.value.message_dict["photos"] == ["“报价单.pdf”不是可识别的照片（支持 JPEG、PNG、WebP 或 HEIC）。"]
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()


def test_it_refuses_a_photo_over_the_size_limit_in_chinese(personas, item, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        _submit(personas, item, [phone_jpeg("大图.jpg")])

    assert "“大图.jpg”超过" in refused.value.message_dict["photos"][0]
    assert not ProgressReport.objects.exists()


def test_it_refuses_more_photos_than_the_limit(personas, item, settings):
    settings.PROGRESS_REPORT_MAX_PHOTOS = 2
    with pytest.raises(ValidationError) as refused:
        _submit(personas, item, [phone_jpeg(), phone_jpeg(), phone_jpeg()])

    assert refused.value.message_dict["photos"] == ["最多只能添加 2 张照片。"]
    assert not ProgressReport.objects.exists()


def test_it_refuses_an_unknown_phase_and_reports_every_problem_at_once(personas, item):
    with pytest.raises(ValidationError) as refused:
        _submit(personas, item, [phone_jpeg()], photo_phase="someday")

    assert set(refused.value.message_dict) == {"photo_phase"}
    assert not ProgressPhoto.objects.exists()
    with pytest.raises(ValidationError) as refused:
        progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("130"), photos=[not_an_image()])
    assert {"percent", "photos"} <= set(refused.value.message_dict)


def test_it_refuses_staff_of_another_street(personas, item):
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        progress_report_submit(
            actor=personas.street_b, work_item=item, percent=Decimal("30"), photos=[phone_jpeg()], photo_phase="after"
        )
    assert not ProgressPhoto.objects.exists()


def test_it_defaults_to_photos_taken_during_the_works(personas, item):
    assert _submit(personas, item, [phone_jpeg()]).photos.get().phase == PhotoPhase.DURING
