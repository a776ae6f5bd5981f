# The home page's sections, kept per language (cms.home_summary). A derived rendering of what the
# back end holds, rebuilt from its selectors: it keeps no history (nothing in it is a record).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0004_create_notice_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='HomePublicSummary',
            fields=[
                ('language', models.CharField(max_length=16, primary_key=True, serialize=False, verbose_name='language')),
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
                'verbose_name': 'home page summary',
                'verbose_name_plural': 'home page summaries',
            },
        ),
    ]
