"""Upgrading: private files an older release stored under MEDIA_ROOT move to private storage."""

import uuid
from io import StringIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command

from renovation.files.management.commands.move_private_files import private_file_fields
from renovation.supervision.services import site_issue_accept
from renovation.tendering.models import BidderDocument
from tests.files.test_inventory import PRIVATE


def _old_release_document(tender_cast) -> BidderDocument:
    # As an older release left it: the row names a file that lies in the public media folder.
    name = default_storage.save(f"bidders/1/{uuid.uuid4().hex}.pdf", ContentFile(b"%PDF-1.4 old licence"))
    return BidderDocument.objects.create(bidder=tender_cast.bidders[0], title="营业执照", file=name)


def test_it_finds_every_private_file_field():
    assert {f"{model._meta.label}.{name}" for model, name in private_file_fields()} == PRIVATE


def test_it_moves_old_private_files_out_of_the_public_folder(tender_cast):
    document = _old_release_document(tender_cast)
    out = StringIO()
    call_command("move_private_files", stdout=out, stderr=StringIO())
    assert "moved 1," in out.getvalue()
    assert not default_storage.exists(document.file.name)
    with storages["private"].open(document.file.name) as handle:
        assert handle.read() == b"%PDF-1.4 old licence"
    name = document.file.name
    document.refresh_from_db()
    assert document.file.name == name  # the stored name does not change


def test_it_moves_nothing_the_second_time_or_on_a_dry_run(tender_cast):
    document = _old_release_document(tender_cast)
    dry = StringIO()
    call_command("move_private_files", "--dry-run", stdout=dry, stderr=StringIO())
    assert "would move 1," in dry.getvalue() and default_storage.exists(document.file.name)
    call_command("move_private_files", stdout=StringIO(), stderr=StringIO())
    again = StringIO()
    call_command("move_private_files", stdout=again, stderr=StringIO())
    assert "moved 0, already private 1, missing 0" in again.getvalue()


def test_it_publishes_photos_of_issues_accepted_before_the_upgrade(personas, reported_issue):
    accepted, submitted = reported_issue(), reported_issue()
    site_issue_accept(actor=personas.street_a, issue=accepted)  # its commit hook never ran
    out = StringIO()
    call_command("site_issue_photos_publish", stdout=out)
    assert out.getvalue().startswith("1 photo(s)")
    assert accepted.photos.get().public_thumbnail and not submitted.photos.get().public_thumbnail
    again = StringIO()
    call_command("site_issue_photos_publish", stdout=again)
    assert again.getvalue().startswith("0 photo(s)")
