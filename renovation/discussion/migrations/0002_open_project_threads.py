"""Open the public thread of every project that has none: the project page used to open it on its
first view, and a GET must not write (pages are cached; threads now open with the page)."""

from django.db import migrations


def open_threads(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Thread = apps.get_model("discussion", "Thread")
    missing = Project.objects.filter(thread__isnull=True).values_list("pk", flat=True)
    Thread.objects.bulk_create([Thread(project_id=pk) for pk in missing])


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0001_initial"),
        ("projects", "0003_construction_unit_from_contracts"),
    ]

    operations = [migrations.RunPython(open_threads, migrations.RunPython.noop)]
