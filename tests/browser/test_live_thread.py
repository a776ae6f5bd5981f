"""Two people on the same project page: one posts, the other sees it appear without reloading."""

import pytest

from cms.services import project_page_ensure
from renovation.discussion.models import Comment

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]


def test_a_comment_appears_for_another_reader_without_reloading(browser, asgi_server, cast):
    page_url = asgi_server + project_page_ensure(project=cast.project).url

    reader_context = browser.new_context(viewport={"width": 360, "height": 740})
    writer_context = browser.new_context()
    try:
        reader = reader_context.new_page()
        reader.goto(page_url)
        reader.wait_for_selector(".thread.is-live", timeout=10_000)

        writer = writer_context.new_page()
        writer.goto(f"{asgi_server}/accounts/login/")
        writer.fill("input[name=username]", "supervisor")
        writer.fill("input[name=password]", "pw")
        writer.click("main button[type=submit]")
        writer.wait_for_url(f"{asgi_server}/supervise/")
        writer.goto(page_url)
        writer.wait_for_selector(".thread.is-live", timeout=10_000)
        attack = '<img src=x onerror="window.pwned=1">脚手架何时拆除？'
        writer.fill("form[data-post] textarea", attack)
        writer.click("form[data-post] button[type=submit]")

        reader.wait_for_selector("text=脚手架何时拆除？", timeout=5_000)
        assert reader.url == page_url  # no reload, no navigation
        new_comment = reader.locator(".comment__text").last
        assert new_comment.text_content() == attack  # shown as text, never as markup
        assert reader.locator(".comment__text img").count() == 0
        assert reader.evaluate("window.pwned === undefined")
        writer.wait_for_selector("text=脚手架何时拆除？", timeout=5_000)
        assert Comment.objects.get().text == attack
    finally:
        reader_context.close()
        writer_context.close()
