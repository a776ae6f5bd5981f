"""/api/v1/ read as a consumer reads it: every resource carries the scene's data, with the
figures the project pages show, filtered, paged by cursor and revalidated by ETag."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from renovation.projects.selectors import lateness_for_projects
from renovation.tendering.selectors import contractors_by_project

pytestmark = pytest.mark.django_db


def _results(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()["results"]


def test_it_lists_the_places(client, scene, personas):
    streets = _results(client, "/api/v1/streets/")
    assert {street["code"] for street in streets} >= {"anyang", "yuhai"}
    neighbourhoods = _results(client, "/api/v1/neighbourhoods/?street=anyang")
    assert "飞云花园" in {row["name"] for row in neighbourhoods}
    assert all(row["street"] == "anyang" for row in neighbourhoods)
    assert _results(client, "/api/v1/communities/?street=yuhai")[0]["street"] == "yuhai"


def test_it_gives_a_project_with_the_figures_of_its_page(client, scene):
    project = scene.cast.project
    data = client.get(f"/api/v1/projects/{project.pk}/").json()
    project.refresh_from_db()
    assert data["code"] == project.code
    assert data["page"] == f"/projects/{project.slug}/"
    assert Decimal(data["progress"]) == project.progress
    assert Decimal(data["budget"]["total"]) == project.budget_total
    expected = contractors_by_project([project.pk])[project.pk]
    assert [row["company"] for row in data["contractors"]] == [c.company for c in expected]
    lateness = lateness_for_projects([project], timezone.localdate())[project.pk].project
    assert data["lateness"]["overdue_days"] == lateness.overdue_days
    care = next(item for item in data["work_items"] if item["category"] == "care")
    assert Decimal(care["progress"]) == Decimal("40")


def test_it_filters_projects_as_the_project_index_does(client, scene, personas):
    anyang = _results(client, "/api/v1/projects/?street=anyang")
    assert scene.cast.project.code in {row["code"] for row in anyang}
    assert scene.cast.other_project.code not in {row["code"] for row in anyang}
    care = _results(client, "/api/v1/projects/?category=care")
    assert [row["code"] for row in care] == [scene.cast.project.code]
    accepted = _results(client, "/api/v1/projects/?status=accepted")
    assert [row["code"] for row in accepted] == ["APIC"]
    year = scene.cast.project.plan_year
    assert scene.cast.project.code in {row["code"] for row in _results(client, f"/api/v1/projects/?plan_year={year}")}
    assert _results(client, f"/api/v1/projects/?plan_year={year + 50}") == []


def test_it_answers_a_bad_filter_with_400_not_500(client, scene):
    response = client.get("/api/v1/projects/?status=demolished")
    assert response.status_code == 400
    assert "status" in response.json()
    assert client.get("/api/v1/projects/?changed_since=yesterday").status_code == 400
    assert client.get("/api/v1/projects/?plan_year=abc").status_code == 400
    assert client.get("/api/v1/projects/?plan_year=99999999999999999999").status_code == 400
    # A moment with no UTC equivalent (PostgreSQL also refuses odd offsets such as +23:31).
    assert client.get("/api/v1/projects/?changed_since=0001-01-01T00:00:00%2B08:00").status_code == 400
    assert client.get("/api/v1/streets/?changed_since=2020-01-01T00:00:00%2B23:31").status_code == 200


def test_changed_since_returns_only_what_changed(client, scene):
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    assert _results(client, f"/api/v1/projects/?changed_since={later.replace('+', '%2B')}") == []
    earlier = (timezone.now() - timedelta(hours=1)).isoformat().replace("+", "%2B")
    changed = {row["code"] for row in _results(client, f"/api/v1/projects/?changed_since={earlier}")}
    assert scene.cast.project.code in changed
    assert _results(client, f"/api/v1/site-issues/?changed_since={later.replace('+', '%2B')}") == []


def test_it_pages_by_cursor_through_every_row(client, scene):
    seen, url = [], "/api/v1/projects/?page_size=1"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 1
        seen.extend(row["id"] for row in page["results"])
        url = page["next"]
    assert len(seen) == len(set(seen)) >= 3
    assert seen == sorted(seen)


def test_an_unchanged_answer_is_304_without_a_body(client, scene):
    first = client.get("/api/v1/projects/")
    assert first.status_code == 200 and first["ETag"]
    again = client.get("/api/v1/projects/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/projects/", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_site_issues_are_the_public_ones_with_photos(client, scene):
    rows = _results(client, "/api/v1/site-issues/")
    assert [row["id"] for row in rows] == [scene.public_issue.pk]
    row = rows[0]
    assert row["status"] == "accepted" and row["project"] == scene.cast.project.code
    # The permission-checked address until the public copy exists, then the copy (never a private path).
    assert row["photos"][0]["url"].startswith(
        ("http://testserver/files/site-issue-photo/", "http://testserver/media/issue-photos/")
    )
    assert "reporter" not in row
    assert client.get(f"/api/v1/site-issues/{scene.private_issue.pk}/").status_code == 404


def test_money_reads_the_finance_selectors(client, scene):
    contract = client.get(f"/api/v1/contracts/{scene.contract.pk}/").json()
    assert Decimal(contract["position"]["approved_changes"]) == Decimal("20000.00")
    assert Decimal(contract["position"]["paid"]) == Decimal("150000.00")
    assert Decimal(contract["position"]["ceiling"]) == scene.contract.amount + Decimal("20000.00")
    assert [change["amount_change"] for change in contract["change_orders"]] == ["20000.00"]
    payments = _results(client, f"/api/v1/payments/?project={scene.cast.project.code}")
    assert [(row["amount"], row["contract_number"]) for row in payments] == [("150000.00", scene.contract.number)]
    disclosure = _results(client, "/api/v1/disclosures/")[0]
    assert disclosure["figures"]["income"]["resident"] == "3000.00"
    assert disclosure["figures"]["payments_total"] == "150000.00"
    assert disclosure["figures"]["closing_balance"] == "-147000.00"
    assert _results(client, "/api/v1/change-orders/?status=approved")[0]["contract_number"] == scene.contract.number


def test_consultation_gives_tallies_not_households(client, scene):
    data = client.get(f"/api/v1/consultation/{scene.consultation_project.pk}/").json()
    assert data["tally"]["households"] == 6
    assert data["tally"]["agree"] == 4 and data["tally"]["disagree"] == 2
    assert data["tally"]["threshold"] == "2/3"
    assert data["decisions"][0]["question"] == "是否加装电梯"
    assert data["satisfaction"]["count"] == 6
    assert Decimal(data["satisfaction"]["average"]) == Decimal("4.5")


def test_progress_is_confirmed_progress_only(client, scene):
    rows = _results(client, f"/api/v1/progress/?project={scene.cast.project.code}")
    assert [(row["category"], row["percent"]) for row in rows] == [("care", "40.00")]


def test_it_lets_browsers_on_other_sites_read(client, scene):
    response = client.get("/api/v1/streets/", HTTP_ORIGIN="https://data.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/projects/", HTTP_ORIGIN="https://data.example.org")


def test_the_docs_page_says_how_to_get_a_key(client, db):
    page = client.get("/api/v1/").content.decode()
    assert "/admin/api-keys/" in page and "Api-Key" in page
    assert "/api/v1/site-issues/" in page and "/open311/v2/requests.json" in page
    assert "如何获取密钥" in page and "各街道的社区" in page  # Chinese first
    redoc = client.get("/api/v1/schema/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in redoc and "cdn" not in redoc.lower()


def test_site_issue_positions_are_rounded_to_the_building_as_on_the_map(client, scene, settings):
    from decimal import Decimal

    from renovation.supervision.models import SiteIssue

    SiteIssue.objects.filter(pk=scene.public_issue.pk).update(
        latitude=Decimal("27.781234"), longitude=Decimal("120.656789")
    )
    row = _results(client, "/api/v1/site-issues/")[0]
    assert (row["latitude"], row["longitude"]) == ("27.7812", "120.6568")
    request = client.get("/open311/v2/requests.json").json()[0]
    assert (request["lat"], request["long"]) == (27.7812, 120.6568)
