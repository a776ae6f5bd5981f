# The project page's summary is kept as signed JSON text (its sections' HTML) instead of a pickle.

from django.db import migrations, models


def forget_pickled_summaries(apps, schema_editor):
    # Derived data: the clock (project-summaries-refresh) rebuilds every summary within 5 minutes,
    # and the page computes live meanwhile. A pickle is never read again.
    apps.get_model("projects", "ProjectPublicSummary").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_project_public_summary"),
    ]

    operations = [
        migrations.RunPython(forget_pickled_summaries, migrations.RunPython.noop),
        migrations.RemoveField(model_name="projectpublicsummary", name="content"),
        migrations.AddField(
            model_name="projectpublicsummary",
            name="content",
            field=models.TextField(blank=True, verbose_name="content"),
        ),
        migrations.AddField(
            model_name="projectpublicsummary",
            name="build",
            field=models.CharField(blank=True, max_length=64, verbose_name="build"),
        ),
        migrations.AddField(
            model_name="projectpublicsummary",
            name="signature",
            field=models.CharField(blank=True, max_length=64, verbose_name="signature"),
        ),
        migrations.AddField(
            model_name="projectpublicsummary",
            name="generation",
            field=models.PositiveIntegerField(default=1, verbose_name="generation"),
        ),
        migrations.AddField(
            model_name="projectpublicsummary",
            name="built_generation",
            field=models.PositiveIntegerField(default=0, verbose_name="built generation"),
        ),
        migrations.AlterField(
            model_name="projectpublicsummary",
            name="built_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="built"),
        ),
    ]
