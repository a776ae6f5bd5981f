"""The frame every public page shares (public/base.html) renders its constant parts once per process
and language ({% constant %}, renovation/public/templatetags/public_frame.py): the page is the same
as rendered afresh, in each language, and a signed-in visitor still gets their own parts."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from renovation.public.templatetags.public_frame import ConstantNode

pytestmark = pytest.mark.django_db


def _frame_nodes(template) -> list[ConstantNode]:
    return list(template.nodelist.get_nodes_by_type(ConstantNode))


def _fresh() -> None:
    from django.template.loader import get_template

    for node in _frame_nodes(get_template("public/base.html").template):
        node.rendered.clear()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_renders_the_same_frame_as_rendered_afresh(client, site_tree, language):
    client.cookies["django_language"] = language
    _fresh()
    first = client.get("/tenders/").content.decode()
    remembered = client.get("/tenders/").content.decode()
    assert remembered == first
    assert f'<html lang="{language}">' in remembered


def test_each_language_gets_its_own_frame(client, site_tree):
    _fresh()
    chinese = client.get("/tenders/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/tenders/").content.decode()
    assert '<a href="/projects/">改造项目</a>' in chinese
    assert '<a href="/projects/">Projects</a>' in english
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in chinese
    assert '<button type="submit" name="language" value="zh-hans" lang="zh-hans">简体中文</button>' in english


def test_a_signed_in_visitor_gets_their_own_parts(client, site_tree, personas, login):
    _fresh()
    anonymous = client.get("/tenders/").content.decode()
    signed_in = login(personas.bureau).get("/tenders/").content.decode()
    assert "退出登录" not in anonymous
    assert f"退出登录 ({personas.bureau.get_username()})" in signed_in
    assert '<a href="/notifications/">消息通知' in signed_in
    assert '<a href="/notifications/">消息通知' not in anonymous


def test_a_constant_block_is_rendered_again_when_a_value_it_names_changes():
    template = engines["django"].from_string(
        "{% load public_frame %}{% constant name %}<b>{{ name }}</b>{% endconstant %}"
    )
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        assert template.render({"name": "甲"}, request) == "<b>甲</b>"
        assert template.render({"name": "乙"}, request) == "<b>乙</b>"
        assert template.render({"name": "<i>"}, request) == "<b>&lt;i&gt;</b>"
