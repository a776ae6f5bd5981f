"""The demo (``manage.py seed_demo``), and the demo's data on every public surface: the API and
Open311, the open-data formats, the change logs.

Seeding is the slowest step of the suite, so it runs once for this module (``demo``) inside a
transaction that is rolled back when the module ends; each test runs in a savepoint within it, as
any ``db`` test does, and sees the freshly seeded demo. ``make test`` uses xdist's default
distribution, so a worker seeds once for the tests of this module it is given (two seeds at most
on two workers, however many demo-wide tests there are): add demo-wide checks here rather than
calling ``seed_demo`` in another module."""

import csv
import io
import json
import re
import sys
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone, translation

from cms.models import ProjectPage
from cms.summary import project_summaries_rebuild
from renovation.consultation.models import Deliberation, Intent
from renovation.finance.models import EntryKind, LedgerEntry, QuarterlyDisclosure, previous_quarter
from renovation.finance.selectors import contract_positions
from renovation.opendata import oc4ids
from renovation.places.models import Street
from renovation.projects.gallery import project_photo_gallery
from renovation.projects.models import (
    COMPLETED_STATUSES,
    ProgressReport,
    Project,
    ProjectPublicSummary,
    ProjectStatus,
    WorkCategory,
)
from renovation.supervision.models import SiteIssue
from renovation.tendering.models import Bid, Contract, Tender, TenderRelease, TenderStatus
from renovation.tendering.seal import unseal
from tests.api.scene import api_list_paths
from tests.cms.test_project_changes import _assert_same_as_python
from tests.cms.test_project_summary import _cards, _index_pages, _same, _stored_and_live
from tests.opendata.oc4ids_schema import problems
from tests.opendata.test_bulk_and_catalogue import _body

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> str:
    """The demo seeded once for the module (in the product's default language, as each test ran
    it before); what ``seed_demo`` printed. Rolled back when the module's last test is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with translation.override("zh-hans"):
                printed = _seed()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield printed
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _became(project: Project, status: str):
    """When the project first reached ``status`` (from its history)."""
    return project.history.filter(status=status).order_by("history_date").values_list("history_date", flat=True).first()


def test_it_loads_ruians_2023_plan_and_is_idempotent(demo):
    first = demo
    today = timezone.localdate()

    plan_2023 = Project.objects.filter(plan_year=2023)
    assert plan_2023.count() == 29
    assert plan_2023.filter(status__in=COMPLETED_STATUSES).count() == 28
    assert set(plan_2023.values_list("neighbourhood__community__street__name", flat=True)) == {
        "安阳街道",
        "玉海街道",
        "锦湖街道",
    }
    feiyun = Project.objects.get(neighbourhood__name="飞云花园")
    assert feiyun.neighbourhood.household_count == 483
    used = set(Project.objects.values_list("work_items__category", flat=True))
    assert used >= set(WorkCategory.values)
    assert ProjectPage.objects.count() == Project.objects.count()

    # Progress history is spread over months, not stamped at seeding time.
    dates = list(feiyun.history.values_list("history_date", flat=True))
    assert (max(dates) - min(dates)).days > 90
    progress = list(feiyun.history.order_by("history_date", "history_id").values_list("progress", flat=True))
    assert progress == sorted(progress)  # reports were filed in date order: progress only rises
    assert ProgressReport.objects.filter(status="pending").exists()  # something for the bureau to confirm

    # Passwords are printed, never fixed in the repository.
    assert "password:" in first
    assert get_user_model().objects.filter(username="bureau", staff_profile__role="bureau").exists()

    # A ledger with subsidy tranches, residents in aggregate, payments, past quarters published
    # and one correction.
    assert LedgerEntry.objects.filter(project=feiyun, kind="income", source="resident").count() == 1
    assert LedgerEntry.objects.filter(project=feiyun, kind="payment", corrects__isnull=True).count() >= 2
    assert LedgerEntry.objects.filter(project=feiyun, corrects__isnull=False).count() == 1
    assert QuarterlyDisclosure.objects.filter(project=feiyun).count() >= 4

    # Photos of the works, before / during / after, attached through the service (photo pipeline).
    gallery = project_photo_gallery(feiyun)
    assert [phase.phase for phase in gallery.phases] == ["before", "during", "after"]

    _it_tells_a_true_story(today)

    # Every invariant behind the public figures holds on the demo (check_figures exits 0).
    checked = StringIO()
    call_command("check_figures", stdout=checked, stderr=StringIO())
    assert "rule(s) hold" in checked.getvalue()

    counts = (Project.objects.count(), ProgressReport.objects.count(), LedgerEntry.objects.count())
    second = _seed()
    assert (Project.objects.count(), ProgressReport.objects.count(), LedgerEntry.objects.count()) == counts
    assert "0 projects created" in second
    assert "password unchanged" in second


def _it_tells_a_true_story(today):
    # Some late, some early, one stalled, one suspended.
    late = Project.objects.filter(
        status=ProjectStatus.UNDER_CONSTRUCTION, planned_end__lt=today, progress__lt=100
    ).values_list("neighbourhood__name", flat=True)
    assert set(late) == {"虹桥新村二期", "罗阳新村"}
    early = [p for p in Project.objects.filter(status__in=COMPLETED_STATUSES) if p.actual_end < p.planned_end]
    finished_late = [p for p in Project.objects.filter(status__in=COMPLETED_STATUSES) if p.actual_end > p.planned_end]
    assert len(early) >= 5 and len(finished_late) >= 5
    assert "东山新村" in {p.neighbourhood.name for p in early}
    stalled = Project.objects.get(neighbourhood__name="西山新村")
    last_confirmed = ProgressReport.objects.filter(work_item__project=stalled, status="confirmed").latest("reviewed_at")
    assert last_confirmed.reviewed_at < timezone.now() - timedelta(days=30)
    assert stalled.planned_end >= today
    assert Project.objects.filter(status=ProjectStatus.SUSPENDED).get().neighbourhood.name == "锦绣花园"

    # Lifecycle in order: residents asked and the assembly filed before approval, tendering
    # before the bids, publicity before the award, signed contract before construction.
    for project in Project.objects.exclude(status__in=[ProjectStatus.PROPOSED, ProjectStatus.CONSULTING]):
        approved = _became(project, ProjectStatus.APPROVED)
        assert approved is not None, project
        assert Intent.objects.filter(project=project).exists()
        deliberation = Deliberation.objects.get(project=project)
        assert deliberation.filed_on is not None and deliberation.filed_on <= timezone.localtime(approved).date()
        tendering = _became(project, ProjectStatus.TENDERING)
        for bid in Bid.objects.filter(tender__project=project):
            assert bid.submitted_at >= tendering, project
        for tender in Tender.objects.filter(project=project, status=TenderStatus.AWARDED):
            assert tender.publicity_end <= tender.award.awarded_at
        started = _became(project, ProjectStatus.UNDER_CONSTRUCTION)
        if started is not None:
            contracts = Contract.objects.filter(project=project)
            assert contracts.exists()
            assert all(contract.signed_on <= timezone.localtime(started).date() for contract in contracts)

    # Money for every project past tendering; accepted projects paid in full, never beyond.
    positions = contract_positions(list(Contract.objects.values_list("pk", flat=True)))
    for contract in Contract.objects.select_related("project"):
        position = positions[contract.pk]
        assert Decimal(0) < position.paid <= position.ceiling, contract
        if contract.project.status in COMPLETED_STATUSES:
            assert position.paid == position.ceiling, contract
    last_ended = previous_quarter(today)
    for project in Project.objects.filter(ledger_entries__isnull=False).distinct():
        assert project.ledger_entries.filter(kind=EntryKind.INCOME).exists()
        assert QuarterlyDisclosure.objects.filter(project=project, year=last_ended[0], quarter=last_ended[1]).exists()

    # Varied bids: never two companies with the same amount in a tender, none above the ceiling.
    for tender in Tender.objects.filter(status__in=[TenderStatus.AWARDED, TenderStatus.PUBLICITY]):
        amounts = [unseal(bid).amount for bid in tender.bids.all()]
        assert len(set(amounts)) == len(amounts) >= 3
        assert max(amounts) <= tender.ceiling_price

    # Site issues: deadlines come after their reports; the overdue one became overdue by itself.
    issues = SiteIssue.objects.exclude(deadline=None)
    assert issues.exists()
    assert all(issue.deadline > issue.created_at for issue in issues)
    assert any(issue.is_overdue for issue in issues)


# --- the demo on every public surface ---------------------------------------------------------


def test_every_endpoint_carries_the_demo(demo, settings):
    """Each API resource and Open311 answer with the seeded rows (the demo's tenders, contracts,
    payments, disclosures, issues and tallies)."""
    settings.API_RATES = {"anon": "10000/minute", "standard": "10000/minute", "partner": "10000/minute"}
    client = Client()
    # The demo prints a key acting as a supervisor (for the Open311 POST): it works.
    key = re.search(r"api-key .* password: (rk_\S+)", demo).group(1)
    assert Client(HTTP_X_API_KEY=key).get("/api/v1/streets/").status_code == 200
    for path in api_list_paths():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json()["results"], f"{path} is empty on the demo"
    opened = [t for t in client.get("/api/v1/tenders/?status=awarded").json()["results"] if t["opening_record"]]
    assert opened, "an awarded demo tender publishes its opening record"
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}?start_date=2020-01-01T00:00:00%2B08:00")
        assert response.status_code == 200
        assert b"service_request_id" in response.content


def _csv(client, name):
    """Every row of a CSV download, following its pages (``Link: rel="next"``)."""
    rows, url = [], f"/open-data/{name}.csv"
    while url:
        response = client.get(url)
        rows += list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))[1:]
        url = response.headers.get("Link", "").partition(">")[0].removeprefix("<") or None
    return rows


def test_the_demo_appears_in_every_format(demo, client):
    """The demo's data appears in every open-data format, and every document validates."""
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


def test_it_says_what_diffing_the_whole_history_says_for_every_demo_project(demo):
    """The public change log of every demo project says what diffing its whole history in Python
    says (tests/cms/test_project_changes.py)."""
    for project in Project.objects.all():
        _assert_same_as_python(project)


def test_it_renders_every_demo_project_page_the_same_from_its_summary_as_live(demo, client):
    """Every demo project page, and every page of the project index, reads the same from its
    stored summary as computed live, in both languages (tests/cms/test_project_summary.py)."""
    pages = list(ProjectPage.objects.live())
    assert len(pages) > 29
    for page in pages:
        for language in ("zh-hans", "en"):
            stored_html, live_html = _stored_and_live(client, page, language)
            assert stored_html == live_html, f"{page.url} in {language}"
    # The index's cards, every page of it, in both languages.
    project_summaries_rebuild([page.project_id for page in pages])
    for language in ("zh-hans", "en"):
        stored = _index_pages(client, language)
        assert stored and all(page.card_html is not None for response in stored for page in _cards(response))
        ProjectPublicSummary.objects.update(generation=F("generation") + 1)
        live = _index_pages(client, language)
        assert all(page.card_html is None for response in live for page in _cards(response))
        assert [_same(response) for response in stored] == [_same(response) for response in live], language
        project_summaries_rebuild([page.project_id for page in pages])
