"""Every private file kind, fetched by the public, by a wrong role and by the right one.

The attack this answers: a qualification document or the photo of a site issue nobody has
accepted yet was served to anyone holding its /media/ URL. Private files now live outside
MEDIA_ROOT and are only handed out by a view that asks the kind's permission first.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from renovation.consultation.models import HouseholdImport
from renovation.finance.models import StatementImport
from renovation.planning.models import PlanImport
from renovation.supervision.services import site_issue_accept, site_issue_rectify, site_issue_reject
from renovation.tendering import bidding
from tests.supervision.fixtures import jpeg

PDF = b"%PDF-1.4 licence of the company"
XLSX = b"PK\x03\x04 workbook with errors marked"


@dataclass
class Private:
    url: str
    content: bytes
    stored: Any  # the FieldFile
    allowed: list[Any]  # users who get the file
    refused: list[Any]  # signed-in users of a wrong role
    back_office: bool = False  # under /admin/: the public is sent to sign in first


@pytest.fixture
def private_files(personas, cast, tender_cast, reported_issue) -> dict[str, Private]:
    issue = reported_issue()
    photo = issue.photos.get()
    readers = [cast.supervisor, cast.builder, personas.street_a, personas.bureau]
    strangers = [cast.other_supervisor, cast.other_builder, personas.street_b, personas.resident]
    bidder, company_user = tender_cast.bidders[0], tender_cast.accounts[0]
    document = bidding.bidder_document_add(
        actor=company_user, bidder=bidder, title="营业执照", upload=SimpleUploadedFile("licence.pdf", PDF)
    )
    plan = PlanImport.objects.create(uploaded_by=personas.bureau, original_name="2026计划.xlsx")
    plan.annotated.save("errors-1.xlsx", ContentFile(XLSX))
    register = HouseholdImport.objects.create(
        uploaded_by=personas.street_a, original_name="户籍.xlsx", status=HouseholdImport.Status.REJECTED
    )
    register.annotated.save("errors-abc.xlsx", ContentFile(XLSX))
    from tests.factories import ProjectFactory

    statement = StatementImport.objects.create(
        project=ProjectFactory(neighbourhood=personas.street_a_place),
        uploaded_by=personas.street_a,
        original_name="流水.xlsx",
        status=StatementImport.Status.REJECTED,
    )
    statement.annotated.save("errors-def.xlsx", ContentFile(XLSX))
    return {
        "site-issue photo": Private(photo.image_url, photo.image.open("rb").read(), photo.image, readers, strangers),
        "site-issue thumbnail": Private(
            photo.thumbnail_url, photo.thumbnail.open("rb").read(), photo.thumbnail, readers, strangers
        ),
        "qualification document": Private(
            document.download_url,
            PDF,
            document.file,
            [company_user, personas.street_b, personas.bureau],
            [tender_cast.accounts[1], cast.builder, cast.supervisor, personas.resident],
        ),
        "plan import workbook": Private(
            f"/admin/plan-import/{plan.pk}/errors.xlsx",
            XLSX,
            plan.annotated,
            [personas.bureau],
            [personas.street_a, personas.street_b],
            back_office=True,
        ),
        "household register workbook": Private(
            f"/admin/consultation/import/{register.pk}/errors.xlsx",
            XLSX,
            register.annotated,
            [personas.street_a, personas.bureau],
            [personas.street_b],
            back_office=True,
        ),
        "bank statement workbook": Private(
            f"/admin/finance/statement-imports/{statement.pk}/errors.xlsx",
            XLSX,
            statement.annotated,
            [personas.street_a, personas.bureau],
            [personas.street_b],
            back_office=True,
        ),
    }


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


KINDS = ["site-issue photo", "site-issue thumbnail", "qualification document", "plan import workbook"]
KINDS.append("household register workbook")
KINDS.append("bank statement workbook")


@pytest.mark.parametrize("kind", KINDS)
def test_it_stores_private_files_outside_the_public_media_folder(private_files, kind):
    path = Path(private_files[kind].stored.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


@pytest.mark.parametrize("kind", KINDS)
def test_it_refuses_private_files_to_the_public(private_files, kind):
    private = private_files[kind]
    response = Client().get(private.url)
    if private.back_office:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 404
    assert private.content not in _body(response)


@pytest.mark.parametrize("kind", KINDS)
def test_it_refuses_private_files_to_a_wrong_role(private_files, kind):
    private = private_files[kind]
    for user in private.refused:
        client = Client()
        client.force_login(user)
        response = client.get(private.url)
        assert response.status_code in (403, 404), (user.username, response.status_code)
        assert private.content not in _body(response)


@pytest.mark.parametrize("kind", KINDS)
def test_it_serves_private_files_to_the_right_role(private_files, kind):
    private = private_files[kind]
    for user in private.allowed:
        client = Client()
        client.force_login(user)
        response = client.get(private.url)
        assert response.status_code == 200, (user.username, response.status_code)
        assert _body(response) == private.content
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_it_sends_qualification_documents_as_downloads_named_by_their_title(private_files, tender_cast):
    client = Client()
    client.force_login(tender_cast.accounts[0])
    response = client.get(private_files["qualification document"].url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in response["Content-Disposition"]


def test_it_serves_an_accepted_issues_photos_to_everyone_before_its_public_copies_exist(personas, reported_issue):
    issue = reported_issue()
    photo = issue.photos.get()
    assert Client().get(photo.thumbnail_url).status_code == 404
    site_issue_accept(actor=personas.street_a, issue=issue)  # on_commit not run: no copies yet
    photo.refresh_from_db()
    assert not photo.public_thumbnail
    response = Client().get(photo.thumbnail_url)
    assert response.status_code == 200
    assert _body(response) == photo.thumbnail.open("rb").read()
    assert response["Cache-Control"] == f"public, max-age={settings.PRIVATE_FILE_URL_SECONDS // 2}"


def test_it_copies_photos_to_public_storage_when_the_issue_is_accepted(
    personas, cast, reported_issue, django_capture_on_commit_callbacks
):
    issue = reported_issue()
    before = issue.photos.get()
    assert not before.public_image and not before.public_thumbnail  # submitted: private only
    with django_capture_on_commit_callbacks(execute=True):
        site_issue_accept(actor=personas.street_a, issue=issue)
    with django_capture_on_commit_callbacks(execute=True):
        site_issue_rectify(actor=cast.builder, issue=issue, response="已整改", photos=[jpeg("after.jpg")])
    for photo in issue.photos.all():
        assert photo.thumbnail_url == f"{settings.MEDIA_URL}{photo.public_thumbnail.name}"
        assert photo.public_thumbnail.name.startswith("issue-photos/")
        # A new name: the public copy tells nothing about the private file's name.
        assert Path(photo.thumbnail.name).stem not in photo.public_thumbnail.name
        assert Path(photo.public_thumbnail.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert photo.public_thumbnail.open("rb").read() == photo.thumbnail.open("rb").read()
        assert photo.public_image.open("rb").read() == photo.image.open("rb").read()
    assert issue.photos.count() == 2


def test_it_makes_no_public_copy_of_a_rejected_issue(personas, reported_issue, django_capture_on_commit_callbacks):
    issue = reported_issue()
    with django_capture_on_commit_callbacks(execute=True):
        site_issue_reject(actor=personas.street_a, issue=issue, reason="不属实")
    photo = issue.photos.get()
    assert not photo.public_image and not photo.public_thumbnail
    assert Client().get(photo.thumbnail_url).status_code == 404


def test_it_answers_unknown_kinds_and_rows_with_not_found(private_files, personas):
    client = Client()
    client.force_login(personas.bureau)
    assert client.get("/files/no-such-kind/1/").status_code == 404
    assert client.get("/files/bidder-document/999999/").status_code == 404


@override_settings(PRIVATE_MEDIA_ACCEL_REDIRECT="/_private/")
def test_it_hands_the_file_to_nginx_behind_a_permission_check(private_files, personas):
    private = private_files["qualification document"]
    client = Client()
    client.force_login(personas.bureau)
    response = client.get(private.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{private.stored.name}"
    assert response.content == b""  # nginx sends the bytes from its internal location
    assert Client().get(private.url).status_code == 404
    assert "X-Accel-Redirect" not in Client().get(private.url)


def test_it_keeps_sealed_proposals_encrypted_in_private_storage(tender_cast):
    bid = tender_cast.bid(0)
    path = Path(bid.sealed_file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert b"%PDF" not in path.read_bytes()  # the proposal is stored sealed (Fernet), as before


def test_it_refuses_the_sealed_proposal_to_the_public_and_other_streets(tender_cast, personas):
    bid = tender_cast.bid(0)
    url = f"/admin/tenders/{tender_cast.tender.pk}/bids/{bid.pk}/proposal/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    other_street = Client()
    other_street.force_login(personas.street_b)
    assert other_street.get(url).status_code in (403, 404)
