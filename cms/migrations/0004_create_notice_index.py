"""Give the site its notices section (通知公告) at /notices/, next to the project index."""

import uuid

from django.db import migrations


def create_notice_index(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("cms.HomePage")
    NoticeIndexPage = apps.get_model("cms.NoticeIndexPage")

    home = HomePage.objects.order_by("path").first()
    if home is None or NoticeIndexPage.objects.exists():
        return
    last = Page.objects.filter(depth=home.depth + 1, path__startswith=home.path).order_by("-path").first()
    # Treebeard's paths: four base-36 characters a level, the next child one after the last.
    step = int(last.path[-4:], 36) + 1 if last is not None else 1
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    suffix = ""
    for _ in range(4):
        step, digit = divmod(step, 36)
        suffix = alphabet[digit] + suffix
    index_type, _ = ContentType.objects.get_or_create(model="noticeindexpage", app_label="cms")
    NoticeIndexPage.objects.create(
        title="通知公告",
        draft_title="通知公告",
        slug="notices",
        content_type=index_type,
        path=home.path + suffix,
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}notices/",
        locale_id=home.locale_id,
        translation_key=uuid.uuid4(),
        live=True,
    )
    children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count()
    Page.objects.filter(pk=home.pk).update(numchild=children)


def remove_notice_index(apps, schema_editor):
    apps.get_model("cms.NoticeIndexPage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_notices_and_public_documents")]

    operations = [migrations.RunPython(create_notice_index, remove_notice_index)]
