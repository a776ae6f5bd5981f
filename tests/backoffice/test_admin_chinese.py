"""The admin speaks Chinese and speaks for the bureau (issue 15, item 3).

Wagtail 8's zh_Hans catalogue leaves a few hundred admin strings in English; ``locale_wagtail``
supplies them. The first test reads every message of the Wagtail apps we use from Wagtail's own
English catalogue, so after an upgrade it names each new string still untranslated.
"""

import gettext
import json
import re
from pathlib import Path

import pytest
import wagtail
from django.utils import translation

WAGTAIL_APPS = ["admin", "users", "images", "documents", "snippets", "contrib/redirects"]


def _wagtail_messages():
    for app in WAGTAIL_APPS:
        mo = Path(wagtail.__file__).parent / app / "locale" / "en" / "LC_MESSAGES" / "django.mo"
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        for key in catalogue:
            if key == "" or (isinstance(key, tuple) and key[0] == ""):
                continue
            yield app, key


def _untranslated(key):
    if isinstance(key, tuple):  # (msgid, plural index): plural forms come as one entry per index
        msgid, index = key
        if index:
            return False
        context, _, msgid = msgid.rpartition("\x04")
        plural = translation.ngettext(msgid, msgid + "·", 2) if not context else None
        return plural in (msgid, msgid + "·") if plural is not None else False
    context, _, msgid = key.rpartition("\x04")
    text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    return text == msgid and any("a" <= ch.lower() <= "z" for ch in msgid)


def test_every_string_of_wagtails_admin_reads_in_chinese():
    with translation.override("zh-hans"):
        missing = sorted({f"{app}: {key!r}" for app, key in _wagtail_messages() if _untranslated(key)})
    assert missing == [], f"{len(missing)} admin strings still in English:\n" + "\n".join(missing[:40])


@pytest.mark.django_db
def test_the_dashboard_carries_the_bureaus_name_and_no_wagtail_branding(login, personas, settings):
    settings.BUREAU_NAME = "瑞安市住房和城乡建设局"
    html = login(personas.bureau).get("/admin/").content.decode()
    assert "<title>控制面板 - 老旧小区改造公开平台</title>" in html
    assert "瑞安市住房和城乡建设局" in html and "backoffice/emblem.svg" in html
    for english in ("Search all pages", "Pages <span", "editor guide", "wagtailadmin/images/favicon"):
        assert english not in html, english
    assert "搜索全部页面" in html and "个页面" in html


def _sidebar(html):
    """The sidebar menu: Wagtail renders it from JSON in the page."""
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    return json.dumps(json.loads(props.group(1)), ensure_ascii=False)


@pytest.mark.django_db
def test_the_menu_says_pages_reports_and_tendering_in_proper_chinese(login, personas):
    menu = _sidebar(login(personas.bureau).get("/admin/").content.decode())
    for label in ("页面", "报告", "招标采购"):
        assert f'"{label}"' in menu, label
    for wrong in ("分页", "举报次数", "招标中"):
        assert f'"{wrong}"' not in menu, wrong
    assert "editor-guide" not in menu and "whats-new" not in menu
    assert '"keyboard-shortcuts-trigger"' in menu  # the rest of the help menu stays


@pytest.mark.django_db
def test_the_sign_in_page_names_the_site_not_wagtail(client):
    html = client.get("/admin/login/").content.decode()
    assert "登录老旧小区改造公开平台" in html
    assert "Sign in to Wagtail" not in html and "登录到Wagtail" not in html
