"""An opened tender's kept page sections (renovation/tendering/tender_summary.py): the same page as
live in fewer queries, stale from the commit of each tender step of its street until its job has
run, never trusted when broken or not signed by this site, never written by a GET, and never
holding anything of a tender before its opening."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renovation.tendering import contracts, services, tender_summary
from renovation.tendering.models import Tender, TenderPublicSummary
from tests.jobs.conftest import DATABASE_BACKEND
from tests.tendering.fixtures import AMOUNTS, end_publicity, open_now
from tests.tendering.test_tender_page import _another_street_tender, _tender_of_another_project

pytestmark = pytest.mark.django_db
REBUILD = "renovation.tendering.tasks.tender_summaries_rebuild"


def _page(client, tender: Tender, language: str = "zh-hans"):
    client.cookies["django_language"] = language
    response = client.get(f"/tenders/{tender.pk}/")
    assert response.status_code == 200
    # The only bytes that differ from one request to the next: the CSP nonce and the CSRF token.
    html = re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-+/=]{20,}"', r'\1="…"', response.content.decode())
    return response, html


def _stale() -> None:
    TenderPublicSummary.objects.update(generation=F("generation") + 1)


def _current(tender: Tender) -> bool:
    rows = TenderPublicSummary.objects.filter(tender=tender)
    return rows.count() == 2 and all(row.built_generation == row.generation for row in rows)


def _evaluated(cast, personas) -> Tender:
    tender = Tender.objects.get(pk=cast.tender.pk)
    services.tender_evaluate(
        actor=personas.street_a, tender=tender, scores={bid.pk: {"compliant": True} for bid in tender.bids.all()}
    )
    return Tender.objects.get(pk=tender.pk)


def _awarded_with_flags(cast, personas) -> Tender:
    """An awarded tender with a contract and change orders, whose red flags weigh another tender."""
    _another_street_tender(cast, personas)
    same = Decimal("871234.00")  # two companies with the same amount: a red flag
    cast.bid(0, amount=same)
    cast.bid(1, amount=same - Decimal("0.01"))
    cast.bid(2)
    cast.tender = open_now(cast.tender)
    tender = _evaluated(cast, personas)
    services.tender_publicize(actor=personas.street_a, tender=tender)
    tender = end_publicity(Tender.objects.get(pk=tender.pk))
    services.tender_award(actor=personas.street_a, tender=tender)
    tender = Tender.objects.get(pk=tender.pk)
    contract = contracts.contract_sign(
        actor=personas.street_a,
        tender=tender,
        data={
            "number": "HT-<甲>-001",
            "amount": AMOUNTS[1],
            "signed_on": date(2026, 5, 1),
            "start_on": date(2026, 5, 10),
            "end_on": date(2026, 9, 10),
        },
    )
    for number in range(3):
        contracts.change_order_propose(
            actor=personas.street_a, contract=contract, reason=f"变更 {number} & <屋面>", amount_change=Decimal("100")
        )
    return Tender.objects.get(pk=tender.pk)


def _queries(client, tender: Tender) -> int:
    with CaptureQueriesContext(connection) as captured:
        _page(client, tender)
    return len(captured)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_renders_the_same_page_from_its_kept_sections_as_live_in_fewer_queries(
    client, tender_cast, personas, language
):
    tender = _awarded_with_flags(tender_cast, personas)
    assert tender_summary.tender_summaries_refresh() == 4  # both tenders of the street, two languages
    stored, stored_html = _page(client, tender, language)
    assert stored.context["stored"] is not None, "the kept sections were not read"
    stored_queries = _queries(client, tender)
    _stale()
    live, live_html = _page(client, tender, language)
    assert live.context["stored"] is None, "the page did not render live"
    assert stored_html == live_html
    assert "871,234.00" in stored_html and "bid-facts" in stored_html and "HT-&lt;甲&gt;-001" in stored_html
    assert stored_queries < _queries(client, tender)


def test_its_queries_are_the_same_for_more_bids_changes_and_tenders(client, tender_cast, personas):
    tender = _awarded_with_flags(tender_cast, personas)
    tender_summary.tender_summaries_refresh()
    queries = _queries(client, tender)
    tender_cast.tender = _tender_of_another_project(personas)
    for index in range(3):
        tender_cast.bid(index, amount=AMOUNTS[index] - Decimal("2000"), name=f"又{index}.pdf")
    open_now(tender_cast.tender)
    contract = tender.award.contract
    for number in range(5):
        contracts.change_order_propose(
            actor=personas.street_a, contract=contract, reason=f"追加 {number}", amount_change=Decimal("10")
        )
    tender_summary.tender_summaries_refresh()
    response, _html = _page(client, tender)
    assert response.context["stored"] is not None
    assert _queries(client, tender) == queries == QUERIES_STORED_PAGE


# The tender with its award; its works; its kept sections; the objections; its tender documents.
QUERIES_STORED_PAGE = 5


def _evaluate(cast, personas, tender):
    return _evaluated(cast, personas)


def _publicize(cast, personas, tender):
    services.tender_publicize(actor=personas.street_a, tender=tender)
    return Tender.objects.get(pk=tender.pk)


def _award(cast, personas, tender):
    tender = end_publicity(tender)
    services.tender_award(actor=personas.street_a, tender=tender)
    return Tender.objects.get(pk=tender.pk)


def _contract(cast, personas, tender):
    data = {"number": "HT-9", "amount": AMOUNTS[1], "signed_on": date(2026, 5, 1), "start_on": date(2026, 5, 10)}
    contracts.contract_sign(actor=personas.street_a, tender=tender, data={**data, "end_on": date(2026, 9, 10)})
    return Tender.objects.get(pk=tender.pk)


def _change_order(cast, personas, tender):
    contract = Tender.objects.get(pk=tender.pk).award.contract
    contracts.change_order_propose(actor=personas.street_a, contract=contract, reason="增加雨棚", amount_change=1)
    return tender


def _another_tender_of_the_street(cast, personas, tender):
    _tender_of_another_project(personas)
    return tender


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_tender_step_shows_live_from_its_commit_and_kept_once_its_job_has_run(
    client, settings, tender_cast, personas, django_capture_on_commit_callbacks, language
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    tender_summary.rebuilds.forget()
    tender_cast.three_bids()
    tender = tender_cast.tender = open_now(tender_cast.tender)
    steps = [_evaluate, _publicize, _award, _contract, _change_order, _another_tender_of_the_street]
    for step in steps:
        tender_summary.tender_summaries_refresh()
        assert _current(tender), step.__name__
        with django_capture_on_commit_callbacks(execute=True):  # committed; the job not yet run
            tender = step(tender_cast, personas, tender)
        assert not _current(tender), step.__name__
        live, live_html = _page(client, tender, language)
        assert live.context["stored"] is None
        for job in DBTaskResult.objects.filter(task_path=REBUILD):
            job.task.call(**job.args_kwargs["kwargs"])
            job.delete()
        stored, stored_html = _page(client, tender, language)
        if step is not _publicize:  # in publicity the page shows the winner candidate live
            assert stored.context["stored"] is not None, step.__name__
        assert stored_html == live_html, step.__name__


def _signature(row):
    row.signature = "0" * 64


def _not_json(row):
    row.content = "{" + row.content
    row.signature = tender_summary.signature("tender page", (row.tender_id, row.language, row.build), row.content)


def _parts_missing(row):
    content = json.loads(row.content)
    del content["parts"]["award"]
    row.content = json.dumps(content)
    row.signature = tender_summary.signature("tender page", (row.tender_id, row.language, row.build), row.content)


def _another_build(row):
    row.build = "another"


def _past_its_time(row):
    row.valid_until = timezone.now() - timedelta(seconds=1)


@pytest.mark.parametrize("damage", [_signature, _not_json, _parts_missing, _another_build, _past_its_time])
def test_it_ignores_a_broken_foreign_or_outdated_row_and_renders_live(client, tender_cast, personas, damage):
    tender = _awarded_with_flags(tender_cast, personas)
    tender_summary.tender_summaries_refresh()
    _response, stored_html = _page(client, tender)
    for row in TenderPublicSummary.objects.filter(tender=tender):
        damage(row)
        row.save()
    response, html = _page(client, tender)
    assert response.context["stored"] is None
    assert html == stored_html


def test_a_get_never_writes(client, tender_cast, personas):
    tender = _awarded_with_flags(tender_cast, personas)
    for prepare in (lambda: None, tender_summary.tender_summaries_refresh, _stale):
        prepare()
        with CaptureQueriesContext(connection) as captured:
            _page(client, tender)
        writes = [query["sql"] for query in captured if not query["sql"].lstrip().upper().startswith("SELECT")]
        assert writes == []


def test_nothing_of_a_sealed_tender_is_kept_until_its_opening(tender_cast, personas):
    tender_cast.three_bids()
    assert tender_summary.tender_summaries_refresh() == 0
    assert tender_summary.tender_summaries_rebuild([tender_cast.tender.pk]) == 0
    assert not TenderPublicSummary.objects.exists()
    open_now(tender_cast.tender)
    assert tender_summary.tender_summaries_refresh() == 2
    kept = "".join(TenderPublicSummary.objects.values_list("content", flat=True))
    assert "873,456.21" in kept  # the opening record, once opened


def test_a_row_is_kept_no_later_than_the_next_opening_in_its_street(tender_cast, personas):
    other = _tender_of_another_project(personas)
    soon = timezone.now() + timedelta(minutes=5)
    Tender.objects.filter(pk=other.pk).update(opening_at=soon, bid_period_end=soon - timedelta(minutes=1))
    tender_cast.three_bids()
    open_now(tender_cast.tender)
    tender_summary.tender_summaries_refresh()
    assert all(row.valid_until <= soon for row in TenderPublicSummary.objects.all())
    assert TenderPublicSummary.objects.count() == 2  # the other tender: nothing until its opening


def _run_jobs() -> list[int]:
    """Run the queued rebuild jobs in their order, as the worker would; what each wrote."""
    from django_tasks_db.models import DBTaskResult

    written = []
    for job in DBTaskResult.objects.filter(task_path=REBUILD).order_by("enqueued_at", "pk"):
        written.append(job.task.call(**job.args_kwargs["kwargs"]))
        job.delete()
    return written


def _renders(monkeypatch) -> list[tuple[int, str]]:
    """The rows rendered from now on, by tender and language."""
    rendered: list[tuple[int, str]] = []
    render = tender_summary._render

    def counted(tender_id, language, now):
        rendered.append((tender_id, language))
        return render(tender_id, language, now)

    monkeypatch.setattr(tender_summary, "_render", counted)
    return rendered


def test_a_burst_of_changes_queues_a_job_each_but_renders_each_row_once(
    client, settings, tender_cast, personas, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_BACKEND  # the jobs wait in their table, as for the worker
    tender = _awarded_with_flags(tender_cast, personas)  # and another opened tender of the street
    assert tender_summary.tender_summaries_refresh() == 4
    tender_summary.rebuilds.forget()  # what making them noted, in the test's transaction
    rendered = _renders(monkeypatch)
    for reason in ("增加雨棚", "增加扶手", "增加坡道"):  # three transactions
        with django_capture_on_commit_callbacks(execute=True):
            contracts.change_order_propose(
                actor=personas.street_a, contract=tender.award.contract, reason=reason, amount_change=Decimal("10")
            )
    jobs = list(DBTaskResult.objects.filter(task_path=REBUILD).order_by("enqueued_at", "pk"))
    assert [job.args_kwargs["kwargs"] for job in jobs] == [{"project_ids": [tender.project_id]}] * 3

    first, *rest = jobs
    assert first.task.call(**first.args_kwargs["kwargs"]) == 4  # from what the last change committed
    assert len(rendered) == 4 and len(set(rendered)) == 4  # each tender of the street, each language
    for job in rest:  # the rows current: three reads (the street's tenders, the opened, their rows)
        with CaptureQueriesContext(connection) as queries:
            assert job.task.call(**job.args_kwargs["kwargs"]) == 0
        assert len(queries) == 3, [query["sql"] for query in queries]
    assert len(rendered) == 4
    response, html = _page(client, tender)
    assert response.context["stored"] is not None and "增加坡道" in html and "增加雨棚" in html

    # A change after those checks: marked after its commit, so its own job finds the rows stale.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        contracts.change_order_propose(
            actor=personas.street_a, contract=tender.award.contract, reason="增加照明", amount_change=Decimal("10")
        )
    assert _run_jobs() == [4]
    response, html = _page(client, tender)
    assert response.context["stored"] is not None and "增加照明" in html


def _resigned(row):
    row.signature = tender_summary.signature("tender page", (row.tender_id, row.language, row.build), row.content)


@pytest.mark.parametrize(
    "outdated",
    [
        {"version": 0},
        {"build": "another"},
        {"valid_until": timezone.now()},
        {"generation": F("generation") + 1},
        {"signature": "0" * 64},
        None,  # a language's row missing
    ],
    ids=["version", "build", "past its time", "stale", "not signed", "missing"],
)
def test_its_job_renders_only_the_tenders_whose_rows_are_not_current(tender_cast, personas, monkeypatch, outdated):
    from renovation.tendering.tasks import tender_summaries_rebuild as job

    tender = _awarded_with_flags(tender_cast, personas)
    other = Tender.objects.exclude(pk=tender.pk).get()
    tender_summary.tender_summaries_refresh()
    rows = TenderPublicSummary.objects.filter(tender=other, language="en")
    if outdated is None:
        rows.delete()
    else:
        rows.update(**outdated)
    rendered = _renders(monkeypatch)
    assert job.call(project_ids=[tender.project_id]) == 2  # the other tender, in both languages
    assert sorted(rendered) == [(other.pk, "en"), (other.pk, "zh-hans")]
    assert _current(other) and _current(tender)
    assert job.call(project_ids=[tender.project_id]) == 0
    assert len(rendered) == 2


def test_its_job_renders_no_row_that_is_current(tender_cast, personas, monkeypatch):
    """A change whose job finds its street's rows current (a later job of its burst ran first):
    nothing is rendered or written."""
    from renovation.tendering.tasks import tender_summaries_rebuild as job

    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    tender_summary.tender_summaries_refresh()
    built = dict(TenderPublicSummary.objects.filter(tender=tender).values_list("language", "built_at"))
    rendered = _renders(monkeypatch)
    assert job.call(project_ids=[tender.project_id]) == 0
    assert rendered == []
    assert dict(TenderPublicSummary.objects.filter(tender=tender).values_list("language", "built_at")) == built


def test_its_job_with_force_renders_rows_that_look_current(tender_cast, personas, monkeypatch):
    from renovation.tendering.tasks import tender_summaries_rebuild as job

    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    tender_summary.tender_summaries_refresh()
    rendered = _renders(monkeypatch)
    assert job.call(project_ids=[tender.project_id], force=True) == 2
    assert sorted(rendered) == [(tender.pk, "en"), (tender.pk, "zh-hans")]
    assert _current(tender)


def _mark_fails(_ids) -> None:
    raise RuntimeError("database gone for a moment")


def test_a_change_whose_mark_failed_queues_a_job_that_renders_the_rows_regardless(
    client, settings, tender_cast, personas, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    tender = _awarded_with_flags(tender_cast, personas)
    tender_summary.tender_summaries_refresh()
    tender_summary.rebuilds.forget()
    monkeypatch.setattr(tender_summary.rebuilds, "mark", _mark_fails)
    with django_capture_on_commit_callbacks(execute=True):
        contracts.change_order_propose(
            actor=personas.street_a, contract=tender.award.contract, reason="增加雨棚", amount_change=Decimal("10")
        )
    assert _current(tender)  # not marked: the rows look current, and the page shows them
    assert "增加雨棚" not in _page(client, tender)[1]
    job = DBTaskResult.objects.get(task_path=REBUILD)
    assert job.args_kwargs["kwargs"] == {"project_ids": [tender.project_id], "force": True}
    assert job.task.call(**job.args_kwargs["kwargs"]) == 4  # though the rows looked current
    response, html = _page(client, tender)
    assert response.context["stored"] is not None and "增加雨棚" in html


def test_a_change_of_every_page_whose_mark_failed_queues_a_forced_job_for_every_project(
    settings, tender_cast, personas, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from renovation.projects.models import Project

    settings.TASKS = DATABASE_BACKEND
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    tender_summary.tender_summaries_refresh()
    tender_summary.rebuilds.forget()
    monkeypatch.setattr(tender_summary.rebuilds, "mark", _mark_fails)
    with django_capture_on_commit_callbacks(execute=True):
        tender_summary.rebuilds.add(None)  # a change of places, a plan import
    job = DBTaskResult.objects.get(task_path=REBUILD)
    every = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    assert job.args_kwargs["kwargs"] == {"project_ids": every, "force": True}
    assert job.task.call(**job.args_kwargs["kwargs"]) == 2
    assert _current(tender)
