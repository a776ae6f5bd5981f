import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.projects.models import ProjectStatus


@pytest.fixture
def index_url() -> str:
    return "/projects/"


def _names(response) -> str:
    return response.content.decode()


def test_it_lists_every_published_project(client, published_project, index_url):
    one, _ = published_project(items=1)
    two, _ = published_project(items=1)
    html = _names(client.get(index_url))
    assert one.name in html and two.name in html


def test_it_filters_by_street_year_status_and_category(client, personas, published_project, index_url):
    anyang, _ = published_project(items=1, plan_year=2023, status=ProjectStatus.ACCEPTED)
    yuhai, _ = published_project(
        items=3, neighbourhood=personas.street_b_place, plan_year=2024, status=ProjectStatus.UNDER_CONSTRUCTION
    )
    html = _names(client.get(index_url, {"street": "yuhai"}))
    assert yuhai.name in html and anyang.name not in html
    html = _names(client.get(index_url, {"year": "2023"}))
    assert anyang.name in html and yuhai.name not in html
    html = _names(client.get(index_url, {"status": "accepted"}))
    assert anyang.name in html and yuhai.name not in html
    html = _names(client.get(index_url, {"category": "networks"}))  # only the 3-item project has networks
    assert yuhai.name in html and anyang.name not in html


def test_it_searches_by_neighbourhood_name(client, personas, published_project, index_url):
    anyang, _ = published_project(items=1)
    yuhai, _ = published_project(items=1, neighbourhood=personas.street_b_place)
    html = _names(client.get(index_url, {"q": "飞云"}))
    assert anyang.name in html and yuhai.name not in html


def test_it_survives_nonsense_filters(client, published_project, index_url):
    published_project(items=1)
    response = client.get(index_url, {"year": "abc", "page": "999", "status": "<script>", "q": "x" * 500})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_it_paginates(client, published_project, index_url, settings):
    settings.PROJECT_INDEX_PAGE_SIZE = 2
    for _ in range(3):
        published_project(items=1)
    first = _names(client.get(index_url))
    assert 'rel="next"' in first
    second = _names(client.get(index_url, {"page": "2"}))
    assert 'rel="prev"' in second


def test_its_query_count_does_not_grow_with_projects(client, published_project, index_url, settings):
    settings.PROJECT_INDEX_PAGE_SIZE = 60
    for _ in range(5):
        published_project(items=1, reports_per_item=0)
    client.get(index_url)
    with CaptureQueriesContext(connection) as few:
        client.get(index_url)
    for _ in range(45):
        published_project(items=2, reports_per_item=0)
    with CaptureQueriesContext(connection) as many:
        response = client.get(index_url)
    assert response.content.decode().count('class="project-card"') == 50
    assert len(few) == len(many)


def test_its_query_count_is_the_same_with_ten_times_the_projects(client, published_project, index_url):
    from tests.benchmarks.public_data import multiply

    for _ in range(4):
        published_project(items=2, reports_per_item=1)
    client.get(index_url)
    with CaptureQueriesContext(connection) as demo:
        assert client.get(index_url).status_code == 200
    multiply(10)
    with CaptureQueriesContext(connection) as ten_times:
        response = client.get(index_url)
    assert response.content.decode().count('class="project-card"') > 4
    assert len(demo) == len(ten_times)


def _plan_nodes(node: dict, under_subplan: bool = False):
    """Every node of an EXPLAIN (FORMAT JSON) plan, with whether it runs in a subquery of its own."""
    yield node, under_subplan
    for child in node.get("Plans", []):
        yield from _plan_nodes(child, under_subplan or child.get("Parent Relationship") == "SubPlan")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan of the list's query")
def test_its_list_counts_the_projects_without_their_cards_and_reads_cards_for_the_page_only(
    client, published_project, index_url, settings
):
    """Where the total is counted with the list (a search): the count, run once, reads no card;
    the summaries (a large ``card`` column each) and the pages are read for the projects walked up
    to the page shown only. Eight projects are fewer than a sort costs, so the plan is read with
    sorting and sequential scans priced out, as the planner prices them against thousands."""
    settings.PROJECT_INDEX_PAGE_SIZE = 3
    for _ in range(8):
        published_project(items=1, reports_per_item=0)
    from cms.summary import project_summaries_rebuild
    from renovation.projects.models import Project

    project_summaries_rebuild(Project.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(index_url, {"q": "飞云"})  # every project's estate
    assert "共 8 个项目" in response.content.decode()
    (listing,) = [query["sql"] for query in queries if '"projects_project"."code" ASC LIMIT' in query["sql"]]
    plan = _plan(listing, "enable_seqscan = off", "enable_sort = off")
    (count,) = [node for node, _ in _plan_nodes(plan) if node.get("Parent Relationship") == "InitPlan"]
    assert count["Actual Loops"] == 1
    counted = {node.get("Relation Name") for node, _ in _plan_nodes(count)}
    assert "projects_project" in counted and "projects_projectpublicsummary" not in counted
    subplans = [node for node, _ in _plan_nodes(plan) if node.get("Parent Relationship") == "SubPlan"]
    looked_up = {node.get("Relation Name") for subplan in subplans for node, _ in _plan_nodes(subplan)}
    assert looked_up >= {"projects_projectpublicsummary", "wagtailcore_page"}
    for subplan in subplans:  # for the three projects listed only
        assert subplan["Actual Loops"] <= 3, subplan


def _plan(sql: str, *settings: str) -> dict:
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()[0]
    return plan["Plan"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan of the list's query")
@pytest.mark.parametrize("page", ["1", "2"])
def test_with_its_total_kept_its_list_reads_the_projects_up_to_the_page_shown(
    client, published_project, index_url, settings, page
):
    """With the total kept (cms.index_counts) the list's query counts nothing: the database can
    walk the projects in the list's order and stop at the page shown, whatever their number. Eight
    projects are fewer than a sort costs, so the plan is read with sorting and sequential scans
    priced out, as the planner prices them against thousands of projects (a query that must read
    every project, as a window count does, reads all eight however it is planned)."""
    settings.PROJECT_INDEX_PAGE_SIZE = 3
    for _ in range(8):
        published_project(items=1, reports_per_item=0)
    from cms.index_counts import index_counts_rebuild

    index_counts_rebuild()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(index_url, {"page": page})
    assert "共 8 个项目" in response.content.decode()
    (listing,) = [query["sql"] for query in queries if '"projects_project"."code" ASC LIMIT' in query["sql"]]
    assert "COUNT(" not in listing.upper()
    nodes = [node for node, in_subplan in _plan_nodes(_plan(listing, "enable_seqscan = off", "enable_sort = off"))]
    (projects,) = [node for node in nodes if node.get("Relation Name") == "projects_project"]
    assert projects["Actual Rows"] <= 3 * int(page) + 1, projects  # the pages up to the one shown (and one more)
