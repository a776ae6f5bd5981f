"""The demo's data appears in every open-data format, and every document validates."""

from __future__ import annotations

import csv
import io
import json

import feedparser
import pytest
from django.core.management import call_command

from renovation.finance.models import QuarterlyDisclosure
from renovation.opendata import oc4ids
from renovation.places.models import Street
from renovation.projects.models import Project
from renovation.tendering.models import Tender, TenderRelease, TenderStatus
from tests.opendata.oc4ids_schema import problems
from tests.opendata.test_bulk_and_catalogue import _body

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _csv(client, name):
    body = _body(client.get(f"/open-data/{name}.csv")).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))[1:]


def test_the_demo_appears_in_every_format(client):
    call_command("seed_demo", stdout=io.StringIO())
    projects = set(Project.objects.values_list("code", flat=True))
    published = {tender.ocid for tender in Tender.objects.filter(pk__in=TenderRelease.objects.values("tender_id"))}
    assert len(projects) > 29 and published

    seen, linked, url = set(), set(), "/projects/oc4ids.json"
    while url:
        response = client.get(url)
        package = json.loads(_body(response))
        found = problems(package)
        assert not found, f"{url}: " + "\n".join(found[:10])
        for document in package["projects"]:
            seen.add(document["id"])
            linked.update(
                p["summary"]["ocid"] for p in document.get("contractingProcesses", []) if "ocid" in p["summary"]
            )
        url = response.get("Link", "").partition(">")[0].lstrip("<")
    assert seen == {f"{oc4ids.project_id(p)}" for p in Project.objects.all()}
    assert linked == published

    assert {row[0] for row in _csv(client, "projects")} == projects
    tenders = _csv(client, "tenders")
    assert {row[0] for row in tenders} == published
    assert len(tenders) == Tender.objects.exclude(status=TenderStatus.DRAFT).count()
    assert len(_csv(client, "disclosures")) == QuarterlyDisclosure.objects.count() > 0
    for name in ("projects", "tenders", "disclosures"):
        assert client.get(f"/open-data/{name}.xlsx").status_code == 200

    feeds = ["/tenders/feed/", *(f"/streets/{code}/feed/" for code in Street.objects.values_list("code", flat=True))]
    feeds += [f"/projects/{slug}/feed/" for slug in Project.objects.values_list("slug", flat=True)[:5]]
    for feed in feeds:
        parsed = feedparser.parse(client.get(feed).content)
        assert not parsed.bozo and parsed.entries, feed
