"""The maps in Chromium: without tiles the index is the list it always was; with tiles (a fake
tile server: a PNG from the live test server) the markers are drawn; with tiles that never load
the map gives way to a notice. Every request stays on 127.0.0.1 (the ASGI test server binds
there; a request anywhere else is refused and fails the test)."""

from decimal import Decimal

import pytest

from cms.services import project_page_ensure
from renovation.supervision.models import IssueStatus, SiteIssue, Supervisor
from tests.factories import NeighbourhoodFactory, ProjectFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site_tree")]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""
TILE = "/static/places/leaflet-1.9.4/images/layers.png?z={z}&x={x}&y={y}&s={s}&tk={tk}"


def _located_projects(count: int) -> list:
    projects = []
    for index in range(count):
        estate = NeighbourhoodFactory(
            latitude=Decimal("27.7800") + Decimal(index) / 1000, longitude=Decimal("120.6500") + Decimal(index) / 1000
        )
        projects.append(ProjectFactory(neighbourhood=estate, name=f"测试小区{index}改造"))
        project_page_ensure(project=projects[-1])
    return projects


def _open(browser, url: str, *, width: int = 360):
    """A page that refuses (and records) every request leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    page.add_init_script(WATCH)
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(url)
    return context, page, outside


def test_it_lists_the_projects_and_shows_no_map_without_a_tile_key(browser, asgi_server):
    projects = _located_projects(2)
    context, page, outside = _open(browser, f"{asgi_server}/projects/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".project-card").count() == 2
    assert page.get_by_text(projects[0].name).is_visible()
    assert page.locator(".place-map, .leaflet-container").count() == 0
    assert page.evaluate("typeof window.L") == "undefined"  # Leaflet is not even loaded
    assert page.evaluate("window.__cspViolations") == [] and outside == []
    context.close()


def test_it_draws_the_projects_over_tiles_from_the_tile_url(browser, asgi_server, settings):
    settings.MAP_TILE_URL = f"{asgi_server}{TILE}"
    settings.MAP_LABEL_TILE_URL = ""
    settings.MAP_TILE_KEY = "test-key"
    projects = _located_projects(3)
    context, page, outside = _open(browser, f"{asgi_server}/projects/")
    page.wait_for_selector(".place-map[data-tiles='loaded']")
    assert page.locator(".leaflet-tile-loaded").count() > 0
    assert page.locator(".place-map .leaflet-marker-icon").count() == 3
    # The map sits beside the list, which is whole.
    assert page.locator(".project-card").count() == 3
    page.locator(f".leaflet-marker-icon[title='{projects[0].name}']").click()
    link = page.locator(".leaflet-popup a.place-map__popup-link")
    assert link.inner_text() == "查看项目"
    assert link.get_attribute("href") == project_page_ensure(project=projects[0]).url
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == [] and outside == []
    # A 360 px phone never scrolls sideways because of the map.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_it_shows_a_notice_and_keeps_the_list_when_tiles_never_load(browser, asgi_server, settings):
    settings.MAP_TILE_URL = f"{asgi_server}/no-tiles-here/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_LABEL_TILE_URL = ""
    _located_projects(2)
    context, page, outside = _open(browser, f"{asgi_server}/projects/")
    page.wait_for_selector(".place-map__notice:not([hidden])")
    assert page.locator(".place-map").is_hidden()
    assert page.locator(".project-card").count() == 2
    assert outside == []
    context.close()


def test_it_draws_the_estate_and_its_public_issues_on_the_project_page(browser, asgi_server, settings, cast):
    settings.MAP_TILE_URL = f"{asgi_server}{TILE}"
    settings.MAP_LABEL_TILE_URL = ""
    settings.MAP_TILE_KEY = "test-key"
    estate = cast.project.neighbourhood
    estate.latitude, estate.longitude = Decimal("27.781234"), Decimal("120.654321")
    estate.save()
    reporter = Supervisor.objects.get(user=cast.supervisor)
    for status, north in ((IssueStatus.ACCEPTED, "0.0003"), (IssueStatus.SUBMITTED, "0.0006")):
        SiteIssue.objects.create(
            project=cast.project,
            reporter=reporter,
            category="safety",
            description="脚手架未设防护网",
            location="5幢",
            status=status,
            latitude=estate.latitude + Decimal(north),
            longitude=estate.longitude,
        )
    url = project_page_ensure(project=cast.project).url
    context, page, outside = _open(browser, f"{asgi_server}{url}", width=1280)
    page.wait_for_load_state("networkidle")
    assert page.locator(".place-map[data-tiles='loaded']").count() == 0  # folded: no tile fetched yet
    page.click("#site-issues > summary")
    page.wait_for_selector(".place-map[data-tiles='loaded']")
    assert page.locator(".place-map .leaflet-marker-icon").count() == 1  # the estate
    assert page.locator(".place-map path.leaflet-interactive").count() == 1  # the one public issue
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == [] and outside == []
    context.close()
