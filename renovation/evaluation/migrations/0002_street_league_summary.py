# The street league table, kept per plan year and language (renovation/evaluation/stored.py). A derived
# rendering of what the back end holds, rebuilt from its selectors: it keeps no history.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='StreetLeagueSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('plan_year', models.PositiveSmallIntegerField(verbose_name='plan year')),
                ('language', models.CharField(max_length=16, verbose_name='language')),
                ('shown_by_default', models.BooleanField(default=False, verbose_name='shown by default')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('build', models.CharField(blank=True, max_length=64, verbose_name='build')),
                ('content', models.TextField(blank=True, verbose_name='content')),
                ('signature', models.CharField(blank=True, max_length=64, verbose_name='signature')),
                ('generation', models.PositiveIntegerField(default=1, verbose_name='generation')),
                ('built_generation', models.PositiveIntegerField(default=0, verbose_name='built generation')),
                ('built_at', models.DateTimeField(blank=True, null=True, verbose_name='built')),
                ('valid_until', models.DateTimeField(verbose_name='valid until')),
            ],
            options={
                'verbose_name': 'street league summary',
                'verbose_name_plural': 'street league summaries',
                'constraints': [models.UniqueConstraint(fields=('plan_year', 'language'), name='street_league_summary_once_per_year')],
            },
        ),
    ]
