"""Each project's open-data texts kept by the task queue (renovation/opendata/stored.py): the
endpoints send byte for byte what they encode live, in a fixed number of queries, and every change
that alters a text marks it stale right after its commit and has it encoded again."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from renovation.opendata import bulk, stored
from renovation.opendata.models import ProjectOpenData
from renovation.opendata.stored import project_open_data_rebuild, project_open_data_refresh
from renovation.projects.models import Project, ProjectStatus
from renovation.public.cache import Change
from tests.api.scene import build_scene
from tests.factories import ProjectFactory, WorkItemFactory
from tests.jobs.conftest import DATABASE_BACKEND
from tests.opendata.oc4ids_schema import problems
from tests.public.test_prepared import _outside_parentheses
from tests.tendering.test_ocds import _lifecycle

pytestmark = pytest.mark.django_db
OC4IDS = "/projects/oc4ids.json"
API = "/api/v1/projects/"
CSV = "/open-data/projects.csv"


@pytest.fixture
def scene(personas, cast, reported_issue, site_tree):
    """The API tests' scene: projects with works, progress, tenders, contracts and issues."""
    return build_scene(personas, cast, reported_issue)


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """The API's rates are counted in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _forget_changes_rolled_back_by_earlier_tests():
    """Each test's transaction rolls back: what its changes noted is dropped by the next change
    noted (RebuildAfterCommit.add finds none of its callbacks waiting); forgotten here too, so that
    this test's job holds its own projects only, whatever an earlier test left."""
    stored.rebuilds.forget()


def _body(client, path: str, language: str = "zh-hans") -> bytes:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return b"".join(response.streaming_content) if response.streaming else response.content


def _projects_of(package: bytes) -> bytes:
    """A package without its head (whose ``publishedDate`` is the moment of the request)."""
    return package[package.index(b'"projects": [') :]


def _counted(client, path: str, language: str = "zh-hans") -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as queries:
        body = _body(client, path, language)
    return body, len(queries)


def _mark_all_stale() -> None:
    ProjectOpenData.objects.update(generation=F("generation") + 1)


def _current(project) -> ProjectOpenData:
    row = ProjectOpenData.objects.get(project=project)
    assert row.built_generation == row.generation, "stale"
    return row


def _plain_project(personas, **fields):
    project = ProjectFactory(neighbourhood=personas.street_a_place, **fields)
    WorkItemFactory(project=project, category="care", budget=Decimal("1000"))
    return project


def test_it_sends_the_oc4ids_projects_stored_byte_for_byte_as_live(client, tender_cast, personas):
    tender, _contract = _lifecycle(tender_cast, personas)
    _plain_project(personas, status=ProjectStatus.CONSULTING)
    assert project_open_data_refresh() == 2
    stored_body, stored_queries = _counted(client, OC4IDS)
    _mark_all_stale()
    live_body, live_queries = _counted(client, OC4IDS)
    assert _projects_of(stored_body) == _projects_of(live_body)
    assert stored_queries == 1  # the page's rows with their texts, and whether another page follows
    assert live_queries > stored_queries
    package = json.loads(stored_body)
    assert not problems(package)  # OC4IDS 0.9.4, formats checked
    (process,) = package["projects"][0]["contractingProcesses"]
    assert {release["url"] for release in process["releases"]} == {f"http://testserver/tenders/{tender.pk}/ocds.json"}
    assert package["projects"][1]["documents"][0]["url"].startswith("http://testserver/projects/")


def test_it_fills_in_the_host_each_request_came_to(client, settings, personas):
    settings.ALLOWED_HOSTS = ["testserver", "data.example.cn"]
    project = _plain_project(personas)
    project_open_data_rebuild([project.pk])
    response = client.get(OC4IDS, HTTP_HOST="data.example.cn")
    (document,) = json.loads(b"".join(response.streaming_content))["projects"]
    assert document["documents"][0]["url"] == f"http://data.example.cn/projects/{project.slug}/"
    assert "\\u001f" not in _body(client, OC4IDS).decode()


def test_it_encodes_live_a_project_whose_own_text_holds_the_mark(client, personas):
    project = _plain_project(personas, summary="控制字符\x1f在简介里")
    project_open_data_rebuild([project.pk])
    assert _current(project).oc4ids == ""  # not kept: the mark would be ambiguous
    (document,) = json.loads(_body(client, OC4IDS))["projects"]
    assert document["description"] == "控制字符\x1f在简介里"
    assert document["documents"][0]["url"] == f"http://testserver/projects/{project.slug}/"


def test_it_encodes_live_a_project_whose_text_holds_an_escaped_mark(client, personas):
    # JSON writes this backslash as "\\", so the text holds "\\u001f": not a mark, and filling it
    # in would have broken the whole page's JSON.
    project = _plain_project(personas, summary="反斜杠\\u001f在简介里")
    project_open_data_rebuild([project.pk])
    assert _current(project).oc4ids == ""
    (document,) = json.loads(_body(client, OC4IDS))["projects"]
    assert document["description"] == "反斜杠\\u001f在简介里"
    assert document["documents"][0]["url"] == f"http://testserver/projects/{project.slug}/"


def _whole_csv(language: str, number: int = 1) -> bytes:
    """A page of projects.csv as the dataset's own writer encodes it from the ledger's rows."""
    with translation.override(language):
        return "".join(bulk.csv_page(bulk.DATASETS["projects"], number)[0]).encode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_sends_the_projects_csv_from_the_stored_lines_byte_for_byte_as_live(client, scene, personas, language):
    # Quoting (a comma, quotes, a line break in a cell) and the formula guard, in the stored lines.
    awkward = _plain_project(personas, name='=HYPERLINK("http://x"),"引号"\n第二行', supervising_engineer="@某监理")
    _plain_project(personas, name="-1+1", status=ProjectStatus.CONSULTING)
    project_open_data_refresh()
    stored_body, stored_queries = _counted(client, CSV, language)
    ProjectOpenData.objects.filter(project=awkward).update(generation=F("generation") + 1)
    mixed_body, mixed_queries = _counted(client, CSV, language)  # one line encoded live amid the stored
    _mark_all_stale()
    live_body, live_queries = _counted(client, CSV, language)
    assert stored_body == mixed_body == live_body == _whole_csv(language)
    assert stored_queries == 1 and mixed_queries > 1 and live_queries > 1
    rows = list(csv.reader(io.StringIO(stored_body.decode("utf-8-sig"))))
    names = {row[1]: row for row in rows[1:]}
    assert set(names) >= {'\'=HYPERLINK("http://x"),"引号"\n第二行', "'-1+1"}
    assert "'@某监理" in names['\'=HYPERLINK("http://x"),"引号"\n第二行']
    assert len(rows) == 1 + Project.objects.count()
    assert any(row[-2] for row in rows[1:])  # the scene's construction units are there


def test_the_stored_csv_lines_are_in_each_language(client, scene):
    project_open_data_refresh()
    chinese, english = _body(client, CSV, "zh-hans"), _body(client, CSV, "en")
    assert chinese != english  # headers, statuses and management types in words
    assert chinese == _whole_csv("zh-hans") and english == _whole_csv("en")


def test_queries_do_not_grow_with_the_projects(client, personas):
    _plain_project(personas)
    project_open_data_refresh()
    before = {path: _counted(client, path)[1] for path in (OC4IDS, API, CSV)}
    for _ in range(10):
        _plain_project(personas)
    project_open_data_refresh()
    after = {path: _counted(client, path)[1] for path in (OC4IDS, API, CSV)}
    assert before == after == {OC4IDS: 1, API: 1, CSV: 1}


@pytest.mark.parametrize("query", ["", "?page_size=1", "?status=consulting", "?category=care"])
def test_it_sends_the_api_page_stored_byte_for_byte_as_live(client, scene, personas, query):
    _plain_project(personas, status=ProjectStatus.CONSULTING)
    project_open_data_refresh()
    stored_body, stored_queries = _counted(client, API + query)
    _mark_all_stale()
    live_body, live_queries = _counted(client, API + query)
    assert stored_body == live_body
    assert json.loads(stored_body)["results"]
    assert stored_queries == 1 and live_queries > 1


def _feed(project) -> str:
    return f"/projects/{project.slug}/feed/"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_sends_the_project_feed_from_its_stored_entries_byte_for_byte_as_live(client, scene, cast, language):
    project_open_data_refresh()
    stored_body, stored_queries = _counted(client, _feed(cast.project), language)
    _mark_all_stale()
    live_body, live_queries = _counted(client, _feed(cast.project), language)
    assert stored_body == live_body
    assert stored_body.count(b"<entry>") > 3
    # In that language (the cookie was once overwritten by the fetch, so both runs were Chinese).
    assert (b'xml:lang="en' in stored_body) == (language == "en")
    assert stored_queries == 1 and live_queries > 1  # the project with its row


def test_the_buffered_atom_is_byte_for_byte_what_django_writes(client, scene, cast, monkeypatch):
    from django.utils.feedgenerator import Atom1Feed

    from renovation.opendata.feeds import ProjectFeed

    buffered = _body(client, _feed(cast.project))
    monkeypatch.setattr(ProjectFeed, "feed_type", Atom1Feed)
    assert _body(client, _feed(cast.project)) == buffered


def test_the_kept_texts_are_the_same_in_every_language(client, scene):
    project_open_data_refresh()
    assert _body(client, API, "en") == _body(client, API, "zh-hans")
    assert _projects_of(_body(client, OC4IDS, "en")) == _projects_of(_body(client, OC4IDS, "zh-hans"))


def test_a_pretty_printed_api_page_is_rendered_live(client, scene):
    project_open_data_refresh()
    response = client.get(API, HTTP_ACCEPT="application/json; indent=2")
    assert response.content.startswith(b'{\n  "next"')
    assert json.loads(response.content) == json.loads(_body(client, API))


def test_a_text_past_midnight_or_of_another_build_is_not_sent(client, personas, monkeypatch):
    project = _plain_project(personas)
    project_open_data_rebuild([project.pk])
    _tamper(project, api='{"id":0}', oc4ids='{"id":"kept"}', signed=True)
    assert json.loads(_body(client, API))["results"] == [{"id": 0}]  # current: sent as kept
    monkeypatch.setattr(stored, "current_build", lambda: "another release")
    assert json.loads(_body(client, API))["results"][0]["id"] == project.pk
    assert json.loads(_body(client, OC4IDS))["projects"][0]["id"] != "kept"
    monkeypatch.undo()
    ProjectOpenData.objects.filter(project=project).update(valid_until=date(2020, 1, 1).isoformat() + "T00:00Z")
    assert json.loads(_body(client, API))["results"][0]["id"] == project.pk


def test_it_does_not_take_texts_encoded_before_a_later_change_as_current(monkeypatch, personas):
    from renovation.opendata.services import project_open_data_mark_stale

    project = _plain_project(personas)
    marked = stored.oc4ids_marked_text

    def encode_while_a_change_commits(project, sources):
        text = marked(project, sources)  # from what was committed before the change
        project_open_data_mark_stale(project_ids={project.pk})
        return text

    monkeypatch.setattr(stored, "oc4ids_marked_text", encode_while_a_change_commits)
    assert project_open_data_rebuild([project.pk]) == 0
    row = ProjectOpenData.objects.get(project=project)
    assert row.built_generation < row.generation
    monkeypatch.undo()
    assert project_open_data_rebuild([project.pk]) == 1


def _stale_projects() -> set[int]:
    return {row.project_id for row in ProjectOpenData.objects.all() if row.built_generation < row.generation}


def test_its_changes_mark_the_texts_stale_once_their_transaction_commits(
    settings, personas, django_capture_on_commit_callbacks
):
    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    project = _plain_project(personas)
    project_open_data_rebuild([project.pk])
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"name": "改名后的项目"})
        assert _stale_projects() == set()  # not inside the change's transaction: no lock on the row
    assert _stale_projects() == {project.pk}


@pytest.mark.parametrize(
    ("change", "everywhere"), [(Change.TENDER, False), (Change.PROGRESS, False), (Change.PLACE, True)]
)
def test_only_a_change_of_places_or_plans_marks_every_project_without_naming_one(
    settings, personas, django_capture_on_commit_callbacks, change, everywhere
):
    """A change that names no project changes no project's texts (a company editing its record
    once marked every project stale and had them all encoded again); places and plans do."""
    from renovation.public.cache import pages_changed

    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    projects = [_plain_project(personas), _plain_project(personas)]
    project_open_data_rebuild([project.pk for project in projects])
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed(change)
    stale = {row.built_generation < row.generation for row in ProjectOpenData.objects.all()}
    assert stale == {everywhere}


def _rename_project(personas, project):
    from renovation.projects.services import project_update

    project_update(actor=personas.bureau, project=project, data={"name": "虹桥新村改造（更名）"})
    return "虹桥新村改造（更名）", "虹桥新村改造（更名）", None


def _add_work(personas, project):
    from renovation.projects.services import work_item_create

    work_item_create(
        actor=personas.bureau,
        data={
            "project": project,
            "category": "roads",
            "description": "新增停车位",
            "quantity": Decimal("12"),
            "unit": "个",
            "budget": Decimal("3000"),
        },
    )
    return "新增停车位", "transport.road", "新增停车位"


def _rename_street(personas, project):
    from renovation.places.services import street_update

    street = project.neighbourhood.community.street
    street_update(actor=personas.bureau, street=street, data={"name": "安阳街道（新）"})
    return None, "安阳街道（新）", None


@pytest.mark.parametrize("change", [_rename_project, _add_work, _rename_street])
def test_each_change_has_the_texts_encoded_again_after_its_commit(
    client, personas, change, django_capture_on_commit_callbacks
):
    project = _plain_project(personas)
    project_open_data_rebuild([project.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the job runs at once (tests' task backend)
        in_api, in_oc4ids, in_feed = change(personas, project)
    row = _current(project)
    assert in_oc4ids in row.oc4ids
    if in_api is not None:
        assert in_api in row.api
    if in_feed is not None:
        assert in_feed in row.feed  # the change log's entry
    if change is not _add_work:
        assert in_oc4ids in row.csv["zh-hans"]  # a project's or street's new name
    kept_api, kept_oc4ids, kept_feed, kept_csv = (
        _body(client, API),
        _projects_of(_body(client, OC4IDS)),
        _body(client, _feed(project)),
        _body(client, CSV),
    )
    _mark_all_stale()
    assert kept_csv == _body(client, CSV) == _whole_csv("zh-hans")
    assert kept_api == _body(client, API)
    assert kept_oc4ids == _projects_of(_body(client, OC4IDS))
    assert kept_feed == _body(client, _feed(project))


def test_a_tender_step_has_the_texts_encoded_again(client, tender_cast, personas, django_capture_on_commit_callbacks):
    project_open_data_rebuild([tender_cast.project.pk])
    with django_capture_on_commit_callbacks(execute=True):
        tender, contract = _lifecycle(tender_cast, personas)
    row = _current(tender_cast.project)
    assert tender.ocid in row.oc4ids and contract.contractor.name in row.api
    assert contract.contractor.name in row.csv["zh-hans"]  # the construction unit
    (document,) = json.loads(_body(client, OC4IDS))["projects"]
    assert document["contractingProcesses"][0]["id"] == tender.ocid


def test_unreadable_feed_entries_are_read_live_and_logged_once(client, scene, cast, caplog):
    project_open_data_refresh()
    kept = _body(client, _feed(cast.project))
    _tamper(cast.project, feed='{"zh-hans": [["not a date"]]}', signed=True)  # signed, yet unreadable
    assert _body(client, _feed(cast.project)) == kept
    assert _body(client, _feed(cast.project)) == kept
    assert caplog.text.count("unreadable feed entries") == 1
    assert "Traceback" in caplog.text


def _tamper(project, *, signed: bool = False, **texts) -> None:
    """Alter a project's kept texts in the database, as by hand; ``signed``: and sign them as the
    site would (for tests of what is checked after the signature)."""
    row = ProjectOpenData.objects.get(project=project)
    for kind, text in texts.items():
        if kind.startswith("csv:"):
            row.csv[kind[4:]] = text
        else:
            setattr(row, kind, text)
        if signed:
            row.signatures[kind] = stored._sign(kind, project.pk, row.build, text)
    row.save()


@pytest.mark.parametrize("kind", ["oc4ids", "api", "csv:zh-hans", "feed"])
def test_a_text_altered_in_the_database_is_not_sent_but_encoded_live(client, scene, cast, kind, caplog):
    path = {"oc4ids": OC4IDS, "api": API, "csv:zh-hans": CSV, "feed": _feed(cast.project)}[kind]
    live = _body(client, path)
    project_open_data_refresh()
    row = _current(cast.project)
    text = row.csv["zh-hans"] if kind == "csv:zh-hans" else getattr(row, kind)
    altered = text.replace("2", "9", 1)
    assert altered != text
    _tamper(cast.project, **{kind: altered})
    first, second = _body(client, path), _body(client, path)
    if kind == "oc4ids":
        first, second, live = _projects_of(first), _projects_of(second), _projects_of(live)
    assert first == second == live
    assert caplog.text.count("not signed by this site") == 1  # once per row and build, not per request


def test_a_text_copied_from_another_project_is_not_sent(client, personas):
    one, other = _plain_project(personas, name="甲"), _plain_project(personas, name="乙")
    project_open_data_refresh()
    rows = {row.project_id: row for row in ProjectOpenData.objects.all()}
    ProjectOpenData.objects.filter(project=other).update(api=rows[one.pk].api, signatures=rows[one.pk].signatures)
    results = json.loads(_body(client, API))["results"]
    assert sorted(result["id"] for result in results) == sorted([one.pk, other.pk])


def test_rows_of_the_previous_version_are_rebuilt_with_signatures(personas, monkeypatch):
    project = _plain_project(personas)
    project_open_data_rebuild([project.pk])
    ProjectOpenData.objects.filter(project=project).update(signatures={}, build="version 2")
    assert project_open_data_refresh() == 1
    row = _current(project)
    assert set(row.signatures) == {"oc4ids", "api", "feed", "csv:zh-hans", "csv:en"}


def test_the_stored_csv_pages_are_byte_for_byte_the_live_pages(client, personas, monkeypatch):
    monkeypatch.setattr(bulk, "CSV_PAGE_SIZE", 2)
    for number in range(5):
        _plain_project(personas, code=f"RA-{number}")
    project_open_data_refresh()
    for number in (1, 2, 3):
        body, queries = _counted(client, f"{CSV}?page={number}")
        assert body == _whole_csv("zh-hans", number) and queries == 1


def test_a_csv_page_reads_the_stored_lines_of_its_own_rows_only(client, personas, monkeypatch):
    # The ledger's order joins the places and no index serves it: the database sorts every
    # project to find a page. It must do so on the keys alone, the page cut inside that sub-query,
    # and read the lines (JSON, decompressed row by row) of the page's rows only.
    monkeypatch.setattr(bulk, "CSV_PAGE_SIZE", 2)
    for number in range(5):
        _plain_project(personas, code=f"RA-{number}")
    project_open_data_refresh()
    with CaptureQueriesContext(connection) as queries:
        _body(client, f"{CSV}?page=2")
    (sql,) = [query["sql"] for query in queries.captured_queries]
    inner = _parenthesised_with(sql, "LIMIT")
    assert "LIMIT" not in _outside_parentheses(sql) and "OFFSET 2" in inner
    assert '"csv"' in sql.replace(inner, "") and '"csv"' not in inner and '"signatures"' not in inner


def _parenthesised_with(sql: str, word: str) -> str:
    """The outermost parenthesised part of the SQL that holds ``word``."""
    depth, start = 0, 0
    for index, character in enumerate(sql):
        if character == "(":
            start = index if depth == 0 else start
            depth += 1
        elif character == ")":
            depth -= 1
            if depth == 0 and word in sql[start:index]:
                return sql[start : index + 1]
    raise AssertionError(f"no parenthesised {word} in {sql}")


def _api_text(project) -> str:
    return json.dumps(json.loads(_current(project).api), ensure_ascii=False)


def test_a_burst_of_changes_queues_a_job_each_but_encodes_each_project_once(
    settings, personas, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from renovation.projects.services import project_update

    settings.TASKS = DATABASE_BACKEND  # the jobs wait in their table, as for the worker
    project, other = _plain_project(personas), _plain_project(personas)
    project_open_data_rebuild([project.pk, other.pk])
    for name in ("改名一次", "改名两次", "改名三次"):  # three transactions
        with django_capture_on_commit_callbacks(execute=True):
            project_update(actor=personas.bureau, project=project, data={"name": name})
    jobs = list(DBTaskResult.objects.filter(task_path="renovation.opendata.tasks.project_open_data_rebuild"))
    assert [job.args_kwargs["kwargs"] for job in jobs] == [{"project_ids": [project.pk]}] * 3

    first, *rest = jobs
    assert first.task.call(**first.args_kwargs["kwargs"]) == 1  # from what the last change committed
    assert "改名三次" in _api_text(project)
    for job in rest:  # the row current: one read, nothing encoded or written
        with CaptureQueriesContext(connection) as queries:
            assert job.task.call(**job.args_kwargs["kwargs"]) == 0
        assert len(queries) == 1, [query["sql"] for query in queries]

    # A job naming a current and a stale project encodes the stale one only.
    ProjectOpenData.objects.filter(project=other).update(build="another")
    assert first.task.call(project_ids=[project.pk, other.pk]) == 1
    assert _current(other).build == stored.current_build()

    # A change after those checks: marked after its commit, so its own job finds the row stale.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=project, data={"name": "改名四次"})
    job = DBTaskResult.objects.get(task_path="renovation.opendata.tasks.project_open_data_rebuild")
    assert job.task.call(**job.args_kwargs["kwargs"]) == 1
    assert "改名四次" in _api_text(project)
