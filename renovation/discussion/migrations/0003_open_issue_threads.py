"""Open the thread of every site issue that has none: the issue page used to open it on its first
view, and a GET must not write (threads now open with the issue, in ``site_issue_report``)."""

from django.db import migrations


def open_threads(apps, schema_editor):
    SiteIssue = apps.get_model("supervision", "SiteIssue")
    Thread = apps.get_model("discussion", "Thread")
    missing = SiteIssue.objects.filter(thread__isnull=True).values_list("pk", flat=True)
    Thread.objects.bulk_create([Thread(site_issue_id=pk) for pk in missing])


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0002_open_project_threads"),
        ("supervision", "0006_site_issue_photo_public_copies"),
    ]

    operations = [migrations.RunPython(open_threads, migrations.RunPython.noop)]
