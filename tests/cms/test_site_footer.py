"""Every public page says who publishes it (issue 15, item 8): the issuing office, the hotline, the
ICP filing number when the site has one, and a favicon that exists."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_footer_names_the_office_the_hotline_and_the_icp_filing(client, site_tree, settings):
    settings.BUREAU_NAME = "瑞安市住房和城乡建设局"
    settings.SUPERVISION_HOTLINE = "0577-65812345"
    settings.ICP_NUMBER = "浙ICP备12345678号"
    for path in ("/", "/projects/", "/tenders/", "/open-data/"):
        html = client.get(path).content.decode()
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert "主办：瑞安市住房和城乡建设局" in footer, path
        assert "监督电话 0577-65812345" in footer, path
        assert '<a href="https://beian.miit.gov.cn/" rel="noopener">浙ICP备12345678号</a>' in footer, path


def test_without_a_filing_number_the_footer_shows_none(client, site_tree, settings):
    settings.ICP_NUMBER = ""
    assert "beian.miit.gov.cn" not in client.get("/").content.decode()


def test_the_favicon_is_the_bureaus_emblem_and_it_exists(client, site_tree):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/backoffice/emblem.svg">' in html
    assert finders.find("backoffice/emblem.svg")
