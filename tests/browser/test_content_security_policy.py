"""The Content-Security-Policy in a real browser: public pages and the Wagtail admin load with no
policy violation, and the scripts moved out of the templates still run."""

import pytest
from django.test import Client

from cms.services import project_page_ensure
from tests.factories import WorkItemFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]

# Registered before any page script: every violation the browser reports, and where.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " "
    + (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


def _signed_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def _visit(context, url: str) -> list[str]:
    page = context.new_page()
    page.add_init_script(WATCH)
    console = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    violations += [text for text in console if "Content Security Policy" in text]
    page.close()
    return violations


def test_public_pages_load_without_a_policy_violation(browser, live_server, cast, tender_cast):
    page_url = project_page_ensure(project=cast.project).url
    context = browser.new_context()
    paths = [
        "/",
        "/projects/",
        page_url,
        "/tenders/",
        f"/tenders/{tender_cast.tender.pk}/",
        "/streets/",
        "/accounts/login/",
    ]
    found = {path: _visit(context, f"{live_server.url}{path}") for path in paths}
    context.close()
    assert found == {path: [] for path in paths}


def test_the_report_form_script_runs_under_the_policy(browser, live_server, cast):
    context = _signed_in_context(browser, live_server, cast.supervisor)
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(f"{live_server.url}/supervise/report/")
    # supervision/report.js (no longer inline) shows the position button where geolocation exists.
    page.wait_for_selector("[data-locate]:not([hidden])")
    assert page.evaluate("window.__cspViolations") == []
    context.close()


def test_admin_pages_load_without_a_policy_violation(browser, live_server, personas, cast):
    item = WorkItemFactory(project=cast.project)
    context = _signed_in_context(browser, live_server, personas.bureau)
    # The project and work-item forms carry Wagtail's date choosers (inline scripts).
    paths = ["/admin/", f"/admin/project/edit/{cast.project.pk}/", f"/admin/workitem/edit/{item.pk}/"]
    found = {path: _visit(context, f"{live_server.url}{path}") for path in paths}
    context.close()
    assert found == {path: [] for path in paths}


def test_the_watch_sees_an_inline_handler_being_blocked(browser, live_server):
    # The checks above could not pass by hearing nothing: an injected inline handler is reported.
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"/x.png\" onerror=\"window.ran = 1\">')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src-attr inline")
    context.close()
