"""The maps of the project index and the project page (cms/maps.py, places/map.html): drawn only
with tiles to draw on, fed from one selector call at a fixed number of queries, public issues only."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.places.coordinates import wgs84_to_gcj02
from renovation.places.services import neighbourhood_update
from renovation.public.cache import cache_backend
from renovation.supervision.models import IssueStatus, SiteIssue, Supervisor
from tests.factories import NeighbourhoodFactory

FEIYUN = (Decimal("27.781234"), Decimal("120.654321"))


@pytest.fixture
def tiles(settings):
    """A tile service with a key (nothing is fetched: these tests read the page's HTML)."""
    settings.MAP_TILE_KEY = "test-key"
    return settings


def _locate(neighbourhood, latitude=FEIYUN[0], longitude=FEIYUN[1]):
    neighbourhood.latitude, neighbourhood.longitude = latitude, longitude
    neighbourhood.save()
    return neighbourhood


def _map_data(html: str, dom_id: str) -> dict | None:
    found = re.search(rf'<script id="{dom_id}-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_it_shows_no_map_without_a_tile_key_and_still_lists_the_projects(client, personas, published_project):
    _locate(personas.street_a_place)
    project, _ = published_project(items=1)
    html = client.get("/projects/").content.decode()
    assert project.name in html
    assert "place-map" not in html and "leaflet" not in html


def test_it_maps_each_located_project_on_the_index_with_a_link_to_its_page(client, personas, tiles, published_project):
    _locate(personas.street_a_place)
    located, page = published_project(items=1)
    unlocated, _ = published_project(items=1, neighbourhood=personas.street_b_place)
    html = client.get("/projects/").content.decode()
    data = _map_data(html, "project-index-map")
    assert [(p["title"], p["url"], p["lat"], p["lng"]) for p in data["points"]] == [
        (located.name, page.url, 27.781234, 120.654321)
    ]
    assert "tk=test-key" in data["tiles"]["url"] and "{tk}" not in data["tiles"]["labels"]
    assert unlocated.name in html  # the list is whole; only the map needs a position


def test_it_maps_every_project_the_filters_select_not_only_the_listed_page(client, tiles, published_project, settings):
    settings.PROJECT_INDEX_PAGE_SIZE = 1
    for _ in range(3):
        published_project(items=1, neighbourhood=_locate(NeighbourhoodFactory()))
    data = _map_data(client.get("/projects/").content.decode(), "project-index-map")
    assert len(data["points"]) == 3


def test_it_shows_no_map_when_no_listed_project_has_a_position(client, tiles, published_project):
    published_project(items=1)
    assert "place-map" not in client.get("/projects/").content.decode()


def test_it_shifts_the_points_for_tiles_drawn_in_gcj02(client, personas, settings, published_project):
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
    settings.MAP_LABEL_TILE_URL = ""
    settings.MAP_TILE_SUBDOMAINS = "1234"
    settings.MAP_TILE_CRS = "gcj02"
    _locate(personas.street_a_place)
    published_project(items=1)
    point = _map_data(client.get("/projects/").content.decode(), "project-index-map")["points"][0]
    expected = wgs84_to_gcj02(float(FEIYUN[0]), float(FEIYUN[1]))
    assert (point["lat"], point["lng"]) == (round(expected[0], 6), round(expected[1], 6))
    assert point["lat"] != 27.781234


def test_its_index_map_costs_the_same_queries_for_many_projects(client, tiles, published_project, settings):
    settings.PROJECT_INDEX_PAGE_SIZE = 60
    for _ in range(3):
        published_project(items=1, reports_per_item=0, neighbourhood=_locate(NeighbourhoodFactory()))
    client.get("/projects/")
    with CaptureQueriesContext(connection) as few:
        client.get("/projects/")
    for _ in range(20):
        published_project(items=1, reports_per_item=0, neighbourhood=_locate(NeighbourhoodFactory()))
    with CaptureQueriesContext(connection) as many:
        html = client.get("/projects/").content.decode()
    assert len(_map_data(html, "project-index-map")["points"]) == 23
    assert len(few) == len(many)


def _issue(project, reporter, status, latitude=Decimal("27.781987"), longitude=Decimal("120.655555")):
    return SiteIssue.objects.create(
        project=project,
        reporter=reporter,
        category="quality",
        description="3幢外墙空鼓开裂",
        location="3幢2单元302室",
        status=status,
        latitude=latitude,
        longitude=longitude,
    )


def test_it_maps_the_estate_and_only_its_public_issues_to_about_ten_metres(client, personas, tiles, cast):
    from cms.services import project_page_ensure

    _locate(personas.street_a_place)
    reporter = Supervisor.objects.get(user=cast.supervisor)
    _issue(cast.project, reporter, IssueStatus.ACCEPTED)
    _issue(cast.project, reporter, IssueStatus.SUBMITTED, latitude=Decimal("27.790000"))  # not yet public
    _issue(cast.project, reporter, IssueStatus.REJECTED, latitude=Decimal("27.791000"))  # never public
    page = project_page_ensure(project=cast.project)
    html = client.get(page.url).content.decode()
    data = _map_data(html, "project-map")
    estate, *issues = data["points"]
    assert (estate["kind"], estate["lat"], estate["lng"]) == ("project", 27.781234, 120.654321)
    assert [(p["kind"], p["lat"], p["lng"]) for p in issues] == [("issue", 27.782, 120.6556)]
    # Category, status and date only: no reporter, no description, no location text.
    text = json.dumps(data, ensure_ascii=False)
    assert "陈阿姨" not in text and "空鼓" not in text and "302" not in text


def test_it_maps_a_project_whose_estate_has_no_position_by_its_issues_alone(client, tiles, cast):
    from cms.services import project_page_ensure

    _issue(cast.project, Supervisor.objects.get(user=cast.supervisor), IssueStatus.RECTIFIED)
    page = project_page_ensure(project=cast.project)
    data = _map_data(client.get(page.url).content.decode(), "project-map")
    assert [p["kind"] for p in data["points"]] == ["issue"]


def test_its_project_map_costs_the_same_queries_for_many_issues(client, personas, tiles, cast):
    from cms.services import project_page_ensure

    _locate(personas.street_a_place)
    reporter = Supervisor.objects.get(user=cast.supervisor)
    _issue(cast.project, reporter, IssueStatus.ACCEPTED)
    page = project_page_ensure(project=cast.project)
    client.get(page.url)
    with CaptureQueriesContext(connection) as few:
        client.get(page.url)
    for _ in range(15):
        _issue(cast.project, reporter, IssueStatus.CONFIRMED)
    with CaptureQueriesContext(connection) as many:
        html = client.get(page.url).content.decode()
    assert len(_map_data(html, "project-map")["points"]) == 17
    assert len(few) == len(many)


def test_it_redraws_the_cached_index_when_an_estate_is_located(
    client, personas, tiles, published_project, django_capture_on_commit_callbacks
):
    tiles.PUBLIC_CACHE_ENABLED = True
    cache_backend().clear()
    published_project(items=1)
    client.get("/projects/")
    assert client.get("/projects/")["X-Public-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        neighbourhood_update(
            actor=personas.bureau,
            neighbourhood=personas.street_a_place,
            data={"latitude": FEIYUN[0], "longitude": FEIYUN[1]},
        )
    response = client.get("/projects/")
    assert response["X-Public-Cache"] != "hit"
    assert _map_data(response.content.decode(), "project-index-map")["points"]
    cache_backend().clear()
