"""Photos of the works are private until the bureau confirms their report; then anyone sees their
public copies (no metadata, new names). Staff can withdraw a photo from the public pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from renovation.files.registry import file_url
from renovation.projects.models import PROGRESS_PHOTO_FILE_KIND, PROGRESS_THUMBNAIL_FILE_KIND
from renovation.projects.services import (
    progress_photo_withdraw,
    progress_photos_publish,
    progress_report_confirm,
    progress_report_reject,
    progress_report_submit,
)
from tests.factories import ProjectFactory, WorkItemFactory
from tests.projects.photos import phone_jpeg


@pytest.fixture
def pending(personas):
    item = WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_a_place))
    return progress_report_submit(
        actor=personas.street_a, work_item=item, percent=Decimal("50"), photos=[phone_jpeg()], photo_phase="after"
    )


def _status(client, url):
    return client.get(url).status_code


def test_it_shows_a_pending_reports_photos_only_to_the_staff_of_its_project(client, personas, pending):
    photo = pending.photos.get()
    urls = [file_url(PROGRESS_PHOTO_FILE_KIND, photo.pk), file_url(PROGRESS_THUMBNAIL_FILE_KIND, photo.pk)]
    assert photo.image_url == urls[0] and photo.thumbnail_url == urls[1]
    assert [_status(client, url) for url in urls] == [404, 404]
    for stranger in (personas.resident, personas.street_b):
        client.force_login(stranger)
        assert [_status(client, url) for url in urls] == [404, 404]
    for reader in (personas.street_a, personas.bureau):
        client.force_login(reader)
        response = client.get(urls[0])
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_it_publishes_copies_without_metadata_once_confirmed(
    client, personas, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_confirm(actor=personas.bureau, report=pending)

    photo = pending.photos.get()
    assert photo.public_image.name.startswith("progress-photos/")
    assert photo.image.name.split("/")[-1] != photo.public_image.name.split("/")[-1]  # never the private name
    assert photo.image_url == default_storage.url(photo.public_image.name)
    with photo.public_image.open("rb") as copy, photo.image.open("rb") as original:
        data = copy.read()
        assert data == original.read()
    assert b"GPS" not in data and b"HUAWEI" not in data
    # The permission-checked address answers everyone too (a page cached before the copies).
    assert _status(client, file_url(PROGRESS_PHOTO_FILE_KIND, photo.pk)) == 200


def test_it_copies_nothing_twice_and_nothing_of_a_rejected_report(
    personas, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_reject(actor=personas.bureau, report=pending, reason="照片与内容不符")
    assert progress_photos_publish(report_id=pending.pk) == 0
    assert not pending.photos.get().public_image

    item = pending.work_item
    report = progress_report_submit(
        actor=personas.street_a, work_item=item, percent=Decimal("60"), photos=[phone_jpeg()]
    )
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_confirm(actor=personas.bureau, report=report)
    assert progress_photos_publish(report_id=report.pk) == 0


def test_it_withdraws_a_photo_from_the_public_and_keeps_the_record(
    client, personas, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_confirm(actor=personas.bureau, report=pending)
    photo = pending.photos.get()
    copy = photo.public_image.name
    assert default_storage.exists(copy)

    with django_capture_on_commit_callbacks(execute=True):
        progress_photo_withdraw(actor=personas.street_a, photo=photo, reason="照片拍到了居民车牌")

    photo.refresh_from_db()
    assert photo.withdrawn_by == personas.street_a and not photo.public_image
    assert not default_storage.exists(copy)
    assert photo.image  # the private original stays, for the record
    assert _status(client, file_url(PROGRESS_PHOTO_FILE_KIND, photo.pk)) == 404
    assert photo.history.first().history_change_reason == "progress_photo_withdraw"


def test_it_asks_why_a_photo_is_withdrawn_and_who_may(personas, pending):
    photo = pending.photos.get()
    with pytest.raises(ValidationError) as refused:
        progress_photo_withdraw(actor=personas.street_a, photo=photo, reason="  ")
    assert refused.value.message_dict == {"withdrawal_reason": ["请说明撤下照片的原因。"]}
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        progress_photo_withdraw(actor=personas.street_b, photo=photo, reason="不是本街道")
    photo.refresh_from_db()
    assert photo.withdrawn_at is None
