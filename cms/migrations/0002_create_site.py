"""Replace Wagtail's welcome page with our home page and project index, so that a fresh
`migrate` already serves `/` and `/projects/`."""

import uuid

from django.db import migrations


def create_site(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms.HomePage")
    ProjectIndexPage = apps.get_model("cms.ProjectIndexPage")

    if HomePage.objects.exists():
        return
    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()
    locale = Locale.objects.order_by("pk").first()
    if locale is None:
        locale = Locale.objects.create(language_code="zh-hans")

    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    index_type, _ = ContentType.objects.get_or_create(model="projectindexpage", app_label="cms")
    home = HomePage.objects.create(
        title="老旧小区改造",
        draft_title="老旧小区改造",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=1,
        url_path="/home/",
        locale=locale,
        translation_key=uuid.uuid4(),
        live=True,
    )
    ProjectIndexPage.objects.create(
        title="改造项目",
        draft_title="改造项目",
        slug="projects",
        content_type=index_type,
        path="000100010001",
        depth=3,
        numchild=0,
        url_path="/home/projects/",
        locale=locale,
        translation_key=uuid.uuid4(),
        live=True,
    )
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True, site_name="")


def remove_site(apps, schema_editor):
    HomePage = apps.get_model("cms.HomePage")
    ProjectIndexPage = apps.get_model("cms.ProjectIndexPage")
    ProjectIndexPage.objects.all().delete()
    HomePage.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0001_initial")]

    operations = [migrations.RunPython(create_site, remove_site)]
