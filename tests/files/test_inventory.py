"""Every file field is classified: a new upload field must choose public or private storage."""

from django.apps import apps
from django.core.files.storage import default_storage, storages
from django.db.models import FileField

# Public on purpose (deploy/README.md, "Files"): published minutes and scans, CMS images and documents.
PUBLIC = {
    "consultation.DeliberationStage.attachment",
    "supervision.SiteIssuePhoto.public_image",  # copies made once the issue is public
    "supervision.SiteIssuePhoto.public_thumbnail",
    "projects.ProgressPhoto.public_image",  # copies made once the progress report is confirmed
    "projects.ProgressPhoto.public_thumbnail",
    "wagtailimages.Image.file",
    "wagtailimages.Rendition.file",
    "wagtaildocs.Document.file",
    "wagtailusers.UserProfile.avatar",  # staff avatars in the admin
    "wagtailcore.UploadedFile.file",  # Wagtail's upload in progress; nginx refuses /media/wagtail_uploads/
}
PRIVATE = {
    "supervision.SiteIssuePhoto.image",
    "supervision.SiteIssuePhoto.thumbnail",
    "projects.ProgressPhoto.image",
    "projects.ProgressPhoto.thumbnail",
    "tendering.BidderDocument.file",
    "tendering.Bid.sealed_file",
    "planning.PlanImport.workbook",
    "planning.PlanImport.annotated",
    "consultation.HouseholdImport.workbook",
    "consultation.HouseholdImport.annotated",
    "finance.StatementImport.workbook",
    "finance.StatementImport.annotated",
}


def _file_fields() -> dict[str, FileField]:
    return {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    }


def test_it_knows_every_file_field():
    assert set(_file_fields()) == PUBLIC | PRIVATE


def test_it_keeps_each_file_field_in_its_storage():
    fields = _file_fields()
    assert {name for name in PRIVATE if fields[name].storage is not storages["private"]} == set()
    # Public fields use the default storage (renditions through Wagtail's own setting, unset here).
    assert {name for name in PUBLIC if fields[name].storage is not default_storage} == set()
