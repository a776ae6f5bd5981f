"""A project's stored renderings, its page's summary (cms.summary) and its open-data texts
(renovation.opendata.stored), are marked stale by every public change of the project. Marked
inside each change's transaction, their rows stayed locked until its commit: every other change of
the same project queued behind it, and two transactions that reported two projects in opposite
orders (A then B, B then A) deadlocked, one of them answered with a 500. They are marked right
after the commit, in a short transaction of their own, the rows locked in the order of their
projects' ids: a transaction in progress holds back no other, a rolled-back one marks nothing, and
a job that rendered from what was there before a change never leaves its rows current."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.db.models import Model

from cms.summary import project_summaries_rebuild, summaries_after_change
from renovation.opendata.models import ProjectOpenData
from renovation.opendata.stored import open_data_after_change, project_open_data_rebuild
from renovation.projects.models import ProjectPublicSummary
from renovation.public import cache
from renovation.public.cache import Change, pages_changed
from tests.jobs.conftest import DATABASE_BACKEND
from tests.other_connection import OtherRequest, lock_timeout

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@dataclass(frozen=True)
class Rendering:
    model: type[Model]
    listener: Callable[[Change, set[int]], None]
    rebuild: Callable[..., int]
    store: str  # where the job finds the service that writes a row


RENDERINGS = {
    "summary": Rendering(
        ProjectPublicSummary,
        summaries_after_change,
        project_summaries_rebuild,
        "cms.summary.project_public_summary_store",
    ),
    "open data": Rendering(
        ProjectOpenData,
        open_data_after_change,
        project_open_data_rebuild,
        "renovation.opendata.stored.project_open_data_store",
    ),
}


@pytest.fixture(params=list(RENDERINGS))
def rendering(request, monkeypatch, settings):
    """One rendering's listener alone (each must hold on its own), its jobs waiting in their table."""
    settings.TASKS = DATABASE_BACKEND
    chosen = RENDERINGS[request.param]
    monkeypatch.setattr(cache, "_listeners", [chosen.listener])
    return chosen


@pytest.fixture
def projects(site_tree, published_project, rendering):
    """Three published projects, each with its rendering built."""
    made = [published_project(items=1)[0] for _ in range(3)]
    assert rendering.rebuild([project.pk for project in made]) == 3
    return made


def _generations(rendering: Rendering) -> dict[int, int]:
    return dict(rendering.model.objects.values_list("pk", "generation"))


def _stale(rendering: Rendering) -> set[int]:
    return {row.pk for row in rendering.model.objects.all() if row.built_generation < row.generation}


def test_two_changes_reporting_two_projects_in_opposite_orders_both_commit(rendering, projects):
    first, second, _other = projects
    before = _generations(rendering)
    first_marked, second_marked = threading.Event(), threading.Event()

    def other_change() -> None:  # another request, on its own connection: B, then A
        try:
            assert first_marked.wait(10)
            with transaction.atomic():
                lock_timeout()  # a deadlock or a wait fails instead of hanging
                pages_changed(Change.PROGRESS, project_id=second.pk)
                second_marked.set()
                pages_changed(Change.LEDGER, project_id=first.pk)
        finally:
            second_marked.set()

    other = OtherRequest(other_change)
    errors: list[BaseException] = []
    try:
        with transaction.atomic():  # this request: A, then B
            lock_timeout()
            pages_changed(Change.PROGRESS, project_id=first.pk)
            first_marked.set()
            assert second_marked.wait(10)
            pages_changed(Change.LEDGER, project_id=second.pk)
    except BaseException as error:
        errors.append(error)
    finally:
        first_marked.set()
        other.join(20)
    assert errors == [] and other.errors == []
    # Each commit marked each of its two projects once, after it; the third is untouched.
    assert _generations(rendering) == {
        pk: value + (2 if pk in {first.pk, second.pk} else 0) for pk, value in before.items()
    }


def test_a_change_in_progress_holds_back_no_other_change_of_the_same_project(rendering, projects):
    project = projects[0]
    marked = threading.Event()

    def other_change() -> None:
        assert marked.wait(10)
        with transaction.atomic():
            lock_timeout()  # it used to wait for the first commit
            pages_changed(Change.SITE_ISSUE, project_id=project.pk)

    other = OtherRequest(other_change)
    with transaction.atomic():
        pages_changed(Change.PROGRESS, project_id=project.pk)
        marked.set()
        assert other.done.wait(20), "the other change is still waiting for this transaction"
    other.join(10)
    assert other.errors == []
    assert _stale(rendering) == {project.pk}


def test_a_rolled_back_change_marks_nothing_and_the_next_commit_only_its_own_projects(rendering, projects):
    first, second, third = projects
    before = _generations(rendering)
    with pytest.raises(RuntimeError), transaction.atomic():
        pages_changed(Change.PROGRESS, project_ids={first.pk, second.pk})
        raise RuntimeError("the change failed")
    assert _generations(rendering) == before and _stale(rendering) == set()

    with transaction.atomic():
        pages_changed(Change.PROGRESS, project_id=third.pk)
        assert _stale(rendering) == set()  # not inside the transaction
    assert _stale(rendering) == {third.pk}  # not the rolled-back change's projects


def test_a_change_rolled_back_to_a_savepoint_marks_nothing(rendering, projects):
    first, second, _third = projects
    with transaction.atomic():
        try:
            with transaction.atomic():
                pages_changed(Change.PROGRESS, project_id=first.pk)
                raise RuntimeError("this step failed")
        except RuntimeError:
            pass
        pages_changed(Change.PROGRESS, project_id=second.pk)
    assert _stale(rendering) == {second.pk}


def test_a_committed_change_marks_exactly_its_projects_and_one_naming_none_marks_none(rendering, projects):
    first, second, third = projects
    with transaction.atomic():
        pages_changed(Change.PROGRESS, project_id=first.pk)
        pages_changed(Change.TENDER, project_ids={second.pk})
    assert _stale(rendering) == {first.pk, second.pk}

    rendering.rebuild([first.pk, second.pk])
    pages_changed(Change.PROGRESS)  # names no project
    pages_changed(Change.EVALUATION, project_id=third.pk)  # shows on neither
    assert _stale(rendering) == set()
    with transaction.atomic():
        pages_changed(Change.PLACE)  # a street renamed: every project's
    assert _stale(rendering) == {first.pk, second.pk, third.pk}


def test_a_job_that_rendered_before_a_change_committed_leaves_the_rows_stale(rendering, projects, monkeypatch):
    """The job reads the generation and renders what was there, then the change commits and is
    marked, then the job writes: its rows stay stale, for the change's own job."""
    project = projects[0]
    module, name = rendering.store.rsplit(".", 1)
    store = getattr(importlib.import_module(module), name)
    changed: list[int] = []

    def change_commits_then_store(**kwargs):
        if not changed:
            with transaction.atomic():
                pages_changed(Change.PROGRESS, project_id=project.pk)
            changed.append(project.pk)
        return store(**kwargs)

    monkeypatch.setattr(rendering.store, change_commits_then_store)
    assert rendering.rebuild([project.pk]) == 0
    assert _stale(rendering) == {project.pk}
    assert rendering.rebuild([project.pk]) == 1  # the change's own job
    assert _stale(rendering) == set()


def test_a_job_that_wrote_between_a_changes_commit_and_its_mark_is_made_stale_by_the_mark(rendering, projects):
    project = projects[0]
    written: list[int] = []
    with transaction.atomic():
        # Runs first once the transaction commits, before the change's mark.
        transaction.on_commit(lambda: written.append(rendering.rebuild([project.pk])))
        pages_changed(Change.PROGRESS, project_id=project.pk)
    assert written == [1]
    assert _stale(rendering) == {project.pk}  # marked after it: the change's own job renders it again
